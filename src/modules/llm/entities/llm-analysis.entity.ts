import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One automatic analysis of a topic (auto mode); also the topic's question/answer memory. */
@Entity({ name: 'llm_analyses' })
@Index('llm_analyses_feed_topic_created', ['feedId', 'topic', 'createdAt'])
export class LlmAnalysis {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'feed_id', type: 'uuid' })
  feedId: string;

  @Column({ type: 'text' })
  topic: string;

  @Column({ type: 'text' })
  provider: string;

  @Column({ type: 'text' })
  model: string;

  /** The question asked (the topic's prompt). */
  @Column({ type: 'text' })
  question: string;

  @Column({ type: 'text' })
  analysis: string;

  @Column({ name: 'tokens_used', type: 'integer', default: 0 })
  tokensUsed: number;

  @Column({ name: 'duration_ms', type: 'integer', default: 0 })
  durationMs: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
