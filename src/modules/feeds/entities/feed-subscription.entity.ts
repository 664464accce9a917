import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** An account's marketplace subscription to a feed (one per account and feed). */
@Entity({ name: 'feed_subscriptions' })
@Unique('feed_subscriptions_account_feed', ['accountId', 'feedId'])
export class FeedSubscription {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @Index()
  @Column({ name: 'feed_id', type: 'uuid' })
  feedId: string;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
