import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Account } from '../../auth/entities/account.entity';

/** Per-topic LLM instructions (seed 003's `topicPrompts`). */
export interface TopicPrompt {
  systemPrompt?: string;
  question?: string;
}

/** An external WebSocket source owned by an account, public in the marketplace or private to it. */
@Entity({ name: 'feeds' })
export class Feed {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  /** Loaded (id and name only) for `ownerName`. */
  @ManyToOne(() => Account, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id' })
  owner?: Account;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text', default: 'other' })
  category: string;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  @Column({ name: 'is_verified', type: 'boolean', default: false })
  isVerified: boolean;

  @Column({ name: 'is_public', type: 'boolean', default: false })
  isPublic: boolean;

  @Column({ name: 'feed_type', type: 'text', default: 'user' })
  feedType: string;

  @Column({ name: 'connection_type', type: 'text', default: 'websocket' })
  connectionType: string;

  /** Each a JSON text sent to the upstream, in order, on every (re)connect. */
  @Column({ name: 'connection_messages', type: 'text', array: true, default: () => "'{}'" })
  connectionMessages: string[];

  @Column({ name: 'reconnection_enabled', type: 'boolean', default: true })
  reconnectionEnabled: boolean;

  @Column({ name: 'subscriber_count', type: 'integer', default: 0 })
  subscriberCount: number;

  @Column({ type: 'text', array: true, nullable: true })
  tags: string[] | null;

  @Column({ name: 'enable_topic_routing', type: 'boolean', default: false })
  enableTopicRouting: boolean;

  @Column({ name: 'topic_field', type: 'text', nullable: true })
  topicField: string | null;

  @Column({ name: 'topic_prompts', type: 'jsonb', default: {} })
  topicPrompts: Record<string, TopicPrompt>;

  @Column({ name: 'default_ai_prompt', type: 'text', nullable: true })
  defaultAIPrompt: string | null;

  /** Seconds between automatic analyses (5, 10, 30 or 60); null means the configured default. */
  @Column({ name: 'query_interval', type: 'integer', nullable: true })
  queryInterval: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
