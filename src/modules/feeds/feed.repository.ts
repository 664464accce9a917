import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, Repository, SelectQueryBuilder } from 'typeorm';
import { Feed } from './entities/feed.entity';

export type NewFeed = Pick<
  Feed,
  | 'ownerId' | 'name' | 'description' | 'url' | 'category' | 'isActive' | 'isPublic' | 'connectionType' | 'connectionMessages'
  | 'reconnectionEnabled' | 'tags' | 'enableTopicRouting' | 'topicField' | 'topicPrompts' | 'defaultAIPrompt' | 'queryInterval'
>;
export type FeedPatch = Partial<Omit<NewFeed, 'ownerId'>>;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

/**
 * Feeds, scoped by the caller: changes by the owner only (`ownerId` in every write), reads of public
 * feeds or the caller's own. Each feed comes with its owner's id and name (for `ownerName`).
 */
@Injectable()
export class FeedRepository {
  constructor(@InjectRepository(Feed) private readonly repo: Repository<Feed>) {}

  async insert(values: NewFeed): Promise<Feed> {
    const result = await this.repo.createQueryBuilder().insert().values(values).returning('id').execute();
    return (await this.findOwned(values.ownerId, (result.identifiers[0] as { id: string }).id))!;
  }

  /** A feed the caller may read: public, or their own (accountId null: public only). */
  findVisible(accountId: string | null, id: string): Promise<Feed | null> {
    const q = this.withOwner().where('f.id = :id', { id });
    if (accountId === null) q.andWhere('f.is_public');
    else q.andWhere(new Brackets((b) => b.where('f.is_public').orWhere('f.owner_id = :accountId', { accountId })));
    return q.getOne();
  }

  findOwned(ownerId: string, id: string): Promise<Feed | null> {
    return this.withOwner().where('f.id = :id AND f.owner_id = :ownerId', { id, ownerId }).getOne();
  }

  listPublic(): Promise<Feed[]> {
    return this.withOwner().where('f.is_public').orderBy('f.created_at', 'DESC').addOrderBy('f.id').getMany();
  }

  popular(limit: number): Promise<Feed[]> {
    return this.withOwner().where('f.is_public').orderBy('f.subscriber_count', 'DESC').addOrderBy('f.created_at', 'DESC').limit(limit).getMany();
  }

  search(q: string | undefined, category: string | undefined): Promise<Feed[]> {
    const query = this.withOwner().where('f.is_public');
    if (q) {
      const like = `%${escapeLike(q)}%`;
      query.andWhere(
        new Brackets((b) =>
          b.where('f.name ILIKE :like', { like }).orWhere('f.description ILIKE :like', { like }).orWhere(`array_to_string(f.tags, ' ') ILIKE :like`, { like }),
        ),
      );
    }
    if (category) query.andWhere('lower(f.category) = lower(:category)', { category });
    return query.orderBy('f.subscriber_count', 'DESC').addOrderBy('f.created_at', 'DESC').limit(100).getMany();
  }

  async update(ownerId: string, id: string, patch: FeedPatch): Promise<boolean> {
    const result = await this.repo.update({ ownerId, id }, patch);
    return (result.affected ?? 0) > 0;
  }

  /**
   * Changes the feed and ends every other account's marketplace subscription to it (made private or
   * deactivated), recounting its subscribers, in one transaction. The feed row's lock orders this
   * against concurrent subscribes (FeedSubscriptionRepository.subscribe checks visibility under it).
   */
  updateRestricting(ownerId: string, id: string, patch: FeedPatch): Promise<boolean> {
    return this.repo.manager.transaction(async (m) => {
      const result = await m.update(Feed, { ownerId, id }, patch);
      if (!result.affected) return false;
      await m.query(`DELETE FROM feed_subscriptions WHERE feed_id = $1 AND account_id <> $2`, [id, ownerId]);
      await m.query(`UPDATE feeds SET subscriber_count = (SELECT count(*) FROM feed_subscriptions WHERE feed_id = $1) WHERE id = $1`, [id]);
      return true;
    });
  }

  async delete(ownerId: string, id: string): Promise<boolean> {
    const result = await this.repo.delete({ ownerId, id });
    return (result.affected ?? 0) > 0;
  }

  /** Active feeds that someone needs: marketplace subscribers, or live WebSocket subscribers (ids). */
  listNeeded(liveIds: string[]): Promise<Feed[]> {
    const q = this.repo.createQueryBuilder('f').where('f.is_active');
    if (liveIds.length === 0) return q.andWhere('f.subscriber_count > 0').getMany();
    return q.andWhere(new Brackets((b) => b.where('f.subscriber_count > 0').orWhere('f.id IN (:...liveIds)', { liveIds }))).getMany();
  }

  /** For the LLM scheduler (issue 8): active topic-routed feeds, every owner. */
  listTopicRouted(): Promise<Feed[]> {
    return this.repo.createQueryBuilder('f').where('f.is_active AND f.enable_topic_routing').getMany();
  }

  /** For the LLM scheduler (issue 8): a feed by id, whoever owns it. */
  findById(id: string): Promise<Feed | null> {
    return this.repo.findOneBy({ id });
  }

  private withOwner(): SelectQueryBuilder<Feed> {
    return this.repo.createQueryBuilder('f').leftJoin('f.owner', 'o').addSelect(['o.id', 'o.name']);
  }
}
