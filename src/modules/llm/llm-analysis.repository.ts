import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { LlmAnalysis } from './entities/llm-analysis.entity';

export type NewLlmAnalysis = Pick<LlmAnalysis, 'feedId' | 'topic' | 'provider' | 'model' | 'question' | 'analysis' | 'tokensUsed' | 'durationMs'>;

/** Stored analyses by feed and topic. The caller has checked that the reader may read the feed. */
@Injectable()
export class LlmAnalysisRepository {
  constructor(@InjectRepository(LlmAnalysis) private readonly repo: Repository<LlmAnalysis>) {}

  async insert(values: NewLlmAnalysis): Promise<LlmAnalysis> {
    return this.repo.save(this.repo.create(values));
  }

  /** The topic's last `n` analyses, oldest first (its memory). */
  async latest(feedId: string, topic: string, n: number): Promise<LlmAnalysis[]> {
    const rows = await this.repo.find({ where: { feedId, topic }, order: { createdAt: 'DESC', id: 'DESC' }, take: n });
    return rows.reverse();
  }

  /** A page of the topic's analyses, newest first, and how many there are. */
  page(feedId: string, topic: string, offset: number, limit: number): Promise<[LlmAnalysis[], number]> {
    return this.repo.findAndCount({ where: { feedId, topic }, order: { createdAt: 'DESC', id: 'DESC' }, skip: offset, take: limit });
  }
}
