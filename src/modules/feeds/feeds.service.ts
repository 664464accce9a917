import { Inject, Injectable } from '@nestjs/common';
import { authorizationError, notFound, validationError } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import type { FeedAiPromptDto, FeedCreateDto, FeedDocumentDto, FeedStatusDto, FeedSubscriptionDto, FeedTopicDto, FeedUpdateDto } from './dto/feed.dto';
import type { Feed } from './entities/feed.entity';
import { FeedIngestionService } from './feed-ingestion.service';
import { FeedRevocationBus } from './feed-revocation.bus';
import { FeedPatch, FeedRepository } from './feed.repository';
import { checkConnectionMessages, checkTopicPrompts, checkTopicRouting } from './feed-rules';
import { FEED_STATE_STORE, FeedStateStore } from './feed-state.store';
import { FeedSubscriptionRepository } from './feed-subscription.repository';
import { checkFeedUrl } from './feed-url-policy';
import { feedDocument, subscriptionDocument } from './feed.view';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NOT_NULL = ['name', 'url', 'description', 'category', 'isPublic', 'isActive', 'connectionType', 'connectionMessages', 'reconnectionEnabled', 'enableTopicRouting', 'topicPrompts'] as const;

/**
 * The marketplace: feeds belong to accounts; only the owner changes or deletes one; a private feed is
 * visible to its owner only (to anyone else it does not exist: 404); public feeds are readable by all.
 * Making a feed private or inactive ends every other account's subscriptions, stored and live (on
 * every instance); deleting it ends all of them.
 */
@Injectable()
export class FeedsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly feeds: FeedRepository,
    private readonly subscriptions: FeedSubscriptionRepository,
    private readonly ingestion: FeedIngestionService,
    @Inject(FEED_STATE_STORE) private readonly store: FeedStateStore,
    private readonly revocations: FeedRevocationBus,
  ) {}

  async create(accountId: string, dto: FeedCreateDto): Promise<FeedDocumentDto> {
    rejectNulls(dto);
    await this.checkUrl(dto.url);
    const connectionMessages = dto.connectionMessages ?? [];
    checkConnectionMessages(connectionMessages);
    const enableTopicRouting = dto.enableTopicRouting ?? false;
    const topicField = dto.topicField ?? null;
    checkTopicRouting(enableTopicRouting, topicField);
    const feed = await this.feeds.insert({
      ownerId: accountId,
      name: dto.name,
      description: dto.description ?? '',
      url: dto.url,
      category: dto.category ?? 'other',
      isActive: dto.isActive ?? true,
      isPublic: dto.isPublic ?? false,
      connectionType: 'websocket',
      connectionMessages,
      reconnectionEnabled: dto.reconnectionEnabled ?? true,
      tags: dto.tags ?? null,
      enableTopicRouting,
      topicField,
      topicPrompts: dto.topicPrompts ? checkTopicPrompts(dto.topicPrompts) : {},
      defaultAIPrompt: dto.defaultAIPrompt ?? null,
      queryInterval: dto.queryInterval ?? null,
    });
    return feedDocument(feed);
  }

  async get(accountId: string | null, id: string): Promise<FeedDocumentDto> {
    return feedDocument(await this.readable(accountId, id));
  }

  listPublic(): Promise<FeedDocumentDto[]> {
    return this.feeds.listPublic().then((f) => f.map(feedDocument));
  }

  popular(limit: number): Promise<FeedDocumentDto[]> {
    return this.feeds.popular(limit).then((f) => f.map(feedDocument));
  }

  search(q: string | undefined, category: string | undefined): Promise<FeedDocumentDto[]> {
    return this.feeds.search(q?.trim() || undefined, category?.trim() || undefined).then((f) => f.map(feedDocument));
  }

  async update(accountId: string, id: string, dto: FeedUpdateDto): Promise<FeedDocumentDto> {
    rejectNulls(dto);
    const feed = await this.owned(accountId, id);
    const patch: FeedPatch = { ...dto } as FeedPatch;
    if (dto.url !== undefined) await this.checkUrl(dto.url);
    if (dto.connectionMessages !== undefined) checkConnectionMessages(dto.connectionMessages);
    if (dto.topicPrompts !== undefined) patch.topicPrompts = checkTopicPrompts(dto.topicPrompts);
    if (dto.enableTopicRouting !== undefined || dto.topicField !== undefined) {
      checkTopicRouting(dto.enableTopicRouting ?? feed.enableTopicRouting, dto.topicField !== undefined ? dto.topicField : feed.topicField);
    }
    // Made private or deactivated: nobody but the owner keeps a subscription (stored or live).
    const restricting = dto.isPublic === false || dto.isActive === false;
    if (restricting) await this.feeds.updateRestricting(accountId, id, patch);
    else if (Object.keys(patch).length > 0) await this.feeds.update(accountId, id, patch);
    if (restricting) this.revocations.announce({ feedId: id, ownerId: accountId, scope: 'others', reason: dto.isPublic === false ? 'private' : 'inactive' });
    this.ingestion.poke();
    return feedDocument((await this.feeds.findOwned(accountId, id))!);
  }

  async setAiPrompt(accountId: string, id: string, dto: FeedAiPromptDto): Promise<Pick<FeedDocumentDto, '_id' | 'name' | 'defaultAIPrompt'>> {
    await this.owned(accountId, id);
    await this.feeds.update(accountId, id, { defaultAIPrompt: dto.defaultAIPrompt ?? null });
    const feed = (await this.feeds.findOwned(accountId, id))!;
    return { _id: feed.id, name: feed.name, defaultAIPrompt: feed.defaultAIPrompt };
  }

  async remove(accountId: string, id: string): Promise<void> {
    await this.owned(accountId, id);
    await this.feeds.delete(accountId, id);
    this.revocations.announce({ feedId: id, ownerId: accountId, scope: 'all', reason: 'deleted' });
    this.ingestion.poke();
    await this.store.clear(id);
  }

  async subscribe(accountId: string, feedId: string): Promise<{ subscription: FeedSubscriptionDto; created: boolean }> {
    await this.readable(accountId, feedId);
    const subscribed = await this.subscriptions.subscribe(accountId, feedId);
    if (!subscribed) throw notFound('Feed');
    const { subscription, created } = subscribed;
    this.ingestion.poke();
    return { subscription: subscriptionDocument(subscription), created };
  }

  async unsubscribe(accountId: string, feedId: string): Promise<void> {
    if (!UUID.test(feedId) || !(await this.subscriptions.unsubscribe(accountId, feedId))) throw notFound('Subscription');
    this.ingestion.poke();
  }

  async listSubscriptions(accountId: string): Promise<FeedSubscriptionDto[]> {
    return (await this.subscriptions.list(accountId)).map(({ subscription, feed }) => subscriptionDocument(subscription, feed));
  }

  async status(accountId: string, id: string): Promise<FeedStatusDto> {
    await this.readable(accountId, id);
    return { feedId: id, ...(await this.store.status(id)) };
  }

  async topics(accountId: string, id: string): Promise<FeedTopicDto[]> {
    await this.readable(accountId, id);
    const topics = await this.store.topics(id);
    return topics.sort((a, b) => b.messageCount - a.messageCount || a.topic.localeCompare(b.topic));
  }

  /**
   * For the LLM issue: the last LLM_CONTEXT_LIMIT feed-data payloads (parsed), oldest first, of the
   * feed (topic null) or one topic. The caller checks the reader may read the feed (readable()).
   */
  async contextWindow(feedId: string, topic: string | null, limit = this.config.feeds.contextLimit): Promise<unknown[]> {
    return (await this.store.window(feedId, topic, limit)).map((e) => JSON.parse(e) as unknown);
  }

  /** For the LLM scheduler (issue 8): active topic-routed feeds of every owner. */
  listTopicRouted(): Promise<Feed[]> {
    return this.feeds.listTopicRouted();
  }

  /** For the LLM scheduler (issue 8): a feed by id, unscoped (the job acts for the feed's owner). */
  findForAnalysis(id: string): Promise<Feed | null> {
    return UUID.test(id) ? this.feeds.findById(id) : Promise.resolve(null);
  }

  /** A feed the account may read (public or own); NOT_FOUND otherwise, whatever the reason. */
  async readable(accountId: string | null, id: string): Promise<Feed> {
    const feed = UUID.test(id) ? await this.feeds.findVisible(accountId, id) : null;
    if (!feed) throw notFound('Feed');
    return feed;
  }

  /** A feed the account owns; a public feed of another is visible but AUTHORIZATION_ERROR. */
  private async owned(accountId: string, id: string): Promise<Feed> {
    const feed = await this.readable(accountId, id);
    if (feed.ownerId !== accountId) throw authorizationError('Only the owner of a feed can change it');
    return feed;
  }

  private async checkUrl(url: string): Promise<void> {
    const check = await checkFeedUrl(url, this.config.feeds.allowPrivateHosts);
    if (!check.ok) throw validationError(check.reason);
  }
}

function rejectNulls(dto: object): void {
  const d = dto as Record<string, unknown>;
  const bad = NOT_NULL.filter((k) => d[k] === null);
  if (bad.length) throw validationError(`${bad.join(', ')} must not be null`);
}
