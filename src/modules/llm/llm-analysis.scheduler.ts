import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { FeedsService } from '../feeds/feeds.service';
import { ANALYSE_FEED_JOB, AnalyseFeedData, LLM_ANALYSES_QUEUE, SCHEDULER_PREFIX, schedulerIdOf } from './llm-analysis.jobs';

/**
 * Keeps one repeatable BullMQ job (a job scheduler `feed:<id>`) per active topic-routed feed, every
 * `queryInterval` seconds (LLM_QUERY_INTERVAL_SECONDS when null). Reconciled at start-up and every
 * LLM_SCHEDULER_SYNC_MS: new feeds get a scheduler, a changed interval is upserted, feeds that were
 * deleted, deactivated or lost topic routing lose theirs. Schedulers live in the queue's store, so they
 * survive restarts; upserts are idempotent, so every instance may reconcile.
 */
@Injectable()
export class LlmAnalysisScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('LlmScheduler');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    @InjectQueue(LLM_ANALYSES_QUEUE) private readonly queue: Queue<AnalyseFeedData>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly feeds: FeedsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sync();
    this.timer = setInterval(() => void this.sync(), this.config.llm.schedulerSyncMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One reconciliation; never overlaps another, never throws (logged, retried at the next tick). */
  sync(): Promise<void> {
    this.running = this.running.then(() => (this.stopped ? undefined : this.reconcile())).catch((err: unknown) => {
      this.logger.warn(`LLM scheduler sync failed: ${(err as Error).message}`);
    });
    return this.running;
  }

  private async reconcile(): Promise<void> {
    const wanted = new Map<string, { feedId: string; every: number }>();
    for (const feed of await this.feeds.listTopicRouted()) {
      wanted.set(schedulerIdOf(feed.id), { feedId: feed.id, every: (feed.queryInterval ?? this.config.llm.queryIntervalSeconds) * 1000 });
    }
    const existing = new Map<string, number | undefined>();
    for (const s of await this.queue.getJobSchedulers(0, -1)) {
      const id = s.id ?? s.key;
      if (id.startsWith(SCHEDULER_PREFIX)) existing.set(id, s.every);
    }
    for (const [id, want] of wanted) {
      if (existing.get(id) === want.every) continue;
      await this.queue.upsertJobScheduler(
        id,
        { every: want.every },
        { name: ANALYSE_FEED_JOB, data: { feedId: want.feedId }, opts: { removeOnComplete: 50, removeOnFail: 100 } },
      );
      this.logger.log(`${existing.has(id) ? 'Rescheduled' : 'Started'} topic LLM scheduler for feed ${want.feedId} (every ${want.every / 1000} s)`);
    }
    for (const id of existing.keys()) {
      if (wanted.has(id)) continue;
      await this.queue.removeJobScheduler(id);
      this.logger.log(`Stopped topic LLM scheduler for feed ${id.slice(SCHEDULER_PREFIX.length)}`);
    }
  }
}
