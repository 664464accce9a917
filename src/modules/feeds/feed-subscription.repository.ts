import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { FeedSubscription } from './entities/feed-subscription.entity';
import { Feed } from './entities/feed.entity';

/** Accounts' marketplace subscriptions; every query takes the account id. */
@Injectable()
export class FeedSubscriptionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Subscribes (idempotent) and counts the feed's subscribers, together; null when the account may not
   * read the feed. Visibility is checked under a share lock of the feed row, so a subscribe racing the
   * owner making the feed private either lands before it (and is removed by it) or sees it.
   */
  subscribe(accountId: string, feedId: string): Promise<{ subscription: FeedSubscription; created: boolean } | null> {
    return this.dataSource.transaction(async (m) => {
      const visible = (await m.query(`SELECT 1 FROM feeds WHERE id = $1 AND (is_public OR owner_id = $2) FOR SHARE`, [feedId, accountId])) as unknown[];
      if (visible.length === 0) return null;
      const inserted = await m
        .createQueryBuilder()
        .insert()
        .into(FeedSubscription)
        .values({ accountId, feedId })
        .orIgnore()
        .returning('id')
        .execute();
      const created = inserted.identifiers.length > 0 && inserted.identifiers[0] !== undefined;
      if (created) await this.count(m, feedId, 1);
      const subscription = await m.findOneByOrFail(FeedSubscription, { accountId, feedId });
      return { subscription, created };
    });
  }

  /** False when the account was not subscribed. */
  unsubscribe(accountId: string, feedId: string): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      const result = await m.delete(FeedSubscription, { accountId, feedId });
      if (!result.affected) return false;
      await this.count(m, feedId, -1);
      return true;
    });
  }

  /** The account's subscriptions to feeds it may still read (public or its own), newest first. */
  list(accountId: string): Promise<Array<{ subscription: FeedSubscription; feed: Feed }>> {
    return this.dataSource
      .createQueryBuilder(FeedSubscription, 's')
      .innerJoinAndMapOne('s.feed', Feed, 'f', 'f.id = s.feed_id AND (f.is_public OR f.owner_id = :accountId)', { accountId })
      .leftJoin('f.owner', 'o')
      .addSelect(['o.id', 'o.name'])
      .where('s.account_id = :accountId', { accountId })
      .orderBy('s.created_at', 'DESC')
      .getMany()
      .then((rows) => rows.map((s) => ({ subscription: s, feed: (s as FeedSubscription & { feed: Feed }).feed })));
  }

  /** An increment under the row lock stays right with concurrent (un)subscribes; updated_at is left alone. */
  private async count(m: EntityManager, feedId: string, delta: 1 | -1): Promise<void> {
    await m.query(`UPDATE feeds SET subscriber_count = GREATEST(subscriber_count + $2, 0) WHERE id = $1`, [feedId, delta]);
  }
}
