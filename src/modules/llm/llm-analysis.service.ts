import { Injectable } from '@nestjs/common';
import { FeedsService } from '../feeds/feeds.service';
import type { LlmAnalysisDto } from './dto/llm.dto';
import type { LlmAnalysis } from './entities/llm-analysis.entity';
import { LlmAnalysisRepository } from './llm-analysis.repository';

export interface AnalysesPage {
  data: LlmAnalysisDto[];
  count: number;
  total: number;
  page: number;
  limit: number;
}

export const analysisDocument = (a: LlmAnalysis): LlmAnalysisDto => ({
  _id: a.id,
  feedId: a.feedId,
  topic: a.topic,
  analysis: a.analysis,
  provider: a.provider,
  model: a.model,
  question: a.question,
  tokensUsed: a.tokensUsed,
  durationMs: a.durationMs,
  timestamp: a.createdAt,
});

/** Reading stored analyses: only for callers who may read the feed (public, or their own). */
@Injectable()
export class LlmAnalysisService {
  constructor(
    private readonly feeds: FeedsService,
    private readonly analyses: LlmAnalysisRepository,
  ) {}

  async list(accountId: string, feedId: string, topic: string, page: number, limit: number): Promise<AnalysesPage> {
    await this.feeds.readable(accountId, feedId);
    const [rows, total] = await this.analyses.page(feedId, topic, (page - 1) * limit, limit);
    return { data: rows.map(analysisDocument), count: rows.length, total, page, limit };
  }
}
