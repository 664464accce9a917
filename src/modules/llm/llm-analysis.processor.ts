import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { AutoAnalysisService } from './auto-analysis.service';
import { AnalyseFeedData, ANALYSE_FEED_JOB, LLM_ANALYSES_QUEUE } from './llm-analysis.jobs';

/** Runs a feed's scheduled analysis; an unknown job name fails the job. */
@Processor(LLM_ANALYSES_QUEUE, { concurrency: 8 })
export class LlmAnalysisProcessor extends WorkerHost {
  constructor(private readonly auto: AutoAnalysisService) {
    super();
  }

  async process(job: Job<AnalyseFeedData>): Promise<unknown> {
    if (job.name !== ANALYSE_FEED_JOB) throw new Error(`No handler for llm-analyses job "${job.name}"`);
    return this.auto.runFeed(job.data.feedId);
  }
}
