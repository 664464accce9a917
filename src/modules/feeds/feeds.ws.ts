import { Injectable, OnModuleInit } from '@nestjs/common';
import { authorizationError, DomainError, validationError } from '../../common/domain-error';
import { isValidUserId } from '../../realtime/access/channel-name';
import type { HubConnection } from '../../realtime/hub/hub-connection';
import { RealtimeHub } from '../../realtime/hub/realtime-hub.service';
import { NativeMessageContext, NativeMessageRegistry } from '../../realtime/ws/native/native-message.registry';
import { hasScope, Scope } from '../auth/scopes';
import { FEEDS_NAMESPACE, feedChannels, FEED_CHANNEL_PREFIX } from './feed-channels';
import { FeedIngestionService } from './feed-ingestion.service';
import { FeedRevocation, FeedRevocationBus } from './feed-revocation.bus';
import { FeedsService } from './feeds.service';
import { MAX_TOPIC_LENGTH } from './topic-path';

/** Feed and topic channels one connection may hold. */
const MAX_FEED_CHANNELS_PER_CONNECTION = 200;

type Payload = Record<string, unknown>;

/**
 * Seed 003's native message types: `register-user`, `subscribe-feed` / `unsubscribe-feed` (raw data,
 * scope `websocket:subscribe`), `subscribe-topic` / `unsubscribe-topic` (topic intelligence, scope
 * `websocket:topic`; with `includeData: true` also the topic's routed data). Account JWTs hold every
 * scope; API keys only theirs ("insufficient permissions"); tenant end users cannot use feeds. A
 * feed must be readable by the connection's account (public, or its own). When the owner makes it
 * private or inactive (or deletes it), other accounts' live subscriptions end with an `unsubscribed`
 * frame on every instance.
 */
@Injectable()
export class FeedsWs implements OnModuleInit {
  /** `register-user` labels, kept for the connection's lifetime. */
  private readonly registered = new WeakMap<HubConnection, string>();
  /** Revocations applied here, per feed: a subscribe that overlapped one checks access again. */
  private readonly revoked = new Map<string, number>();

  constructor(
    private readonly registry: NativeMessageRegistry,
    private readonly hub: RealtimeHub,
    private readonly feeds: FeedsService,
    private readonly ingestion: FeedIngestionService,
    private readonly revocations: FeedRevocationBus,
  ) {}

  onModuleInit(): void {
    // A fast upstream must not stall or grow the server: slow feed subscribers lose the oldest frames.
    this.hub.markLossy(FEED_CHANNEL_PREFIX);
    this.registry.register('register-user', (ctx) => this.registerUser(ctx));
    this.registry.register('subscribe-feed', (ctx) => this.subscribeFeed(ctx));
    this.registry.register('unsubscribe-feed', (ctx) => this.unsubscribeFeed(ctx));
    this.registry.register('subscribe-topic', (ctx) => this.subscribeTopic(ctx));
    this.registry.register('unsubscribe-topic', (ctx) => this.unsubscribeTopic(ctx));
    this.revocations.onRevoked((r) => this.dropRevoked(r));
  }

  private registerUser({ conn, message, reply }: NativeMessageContext): void {
    const userId = payloadOf(message).userId;
    if (!isValidUserId(userId)) throw validationError('userId required (1-128 characters)');
    this.registered.set(conn, userId);
    reply(JSON.stringify({ type: 'registered', payload: { userId } }));
  }

  private async subscribeFeed({ conn, message, reply }: NativeMessageContext): Promise<void> {
    const accountId = accountWith(conn, 'websocket:subscribe');
    const feedId = feedIdOf(payloadOf(message));
    const epoch = this.revoked.get(feedId);
    const feed = await this.feeds.readable(accountId, feedId);
    if (feed.enableTopicRouting) throw validationError('This feed routes by topic and does not broadcast raw data: use subscribe-topic');
    await this.join(conn, [feedChannels.feed(feedId)], () => reply(JSON.stringify({ type: 'subscription-success', payload: { feedId, type: 'feed' } })));
    if (this.revoked.get(feedId) !== epoch) await this.recheck(conn, accountId, feedId);
  }

  private unsubscribeFeed({ conn, message, reply }: NativeMessageContext): void {
    const feedId = feedIdOf(payloadOf(message));
    this.hub.unsubscribe(conn, feedChannels.feed(feedId));
    reply(JSON.stringify({ type: 'unsubscription-success', payload: { feedId, type: 'feed' } }));
  }

  private async subscribeTopic({ conn, message, reply }: NativeMessageContext): Promise<void> {
    const accountId = accountWith(conn, 'websocket:topic');
    const payload = payloadOf(message);
    const feedId = feedIdOf(payload);
    const topic = topicOf(payload);
    const epoch = this.revoked.get(feedId);
    const feed = await this.feeds.readable(accountId, feedId);
    if (!feed.enableTopicRouting) throw validationError('This feed does not route by topic: use subscribe-feed');
    const channels = [feedChannels.topic(feedId, topic)];
    if (payload.includeData === true) channels.push(feedChannels.topicData(feedId, topic));
    await this.join(conn, channels, () => reply(JSON.stringify({ type: 'subscription-success', payload: { feedId, topic, type: 'topic' } })));
    if (this.revoked.get(feedId) !== epoch) await this.recheck(conn, accountId, feedId);
  }

  private unsubscribeTopic({ conn, message, reply }: NativeMessageContext): void {
    const payload = payloadOf(message);
    const feedId = feedIdOf(payload);
    const topic = topicOf(payload);
    this.hub.unsubscribe(conn, feedChannels.topic(feedId, topic));
    this.hub.unsubscribe(conn, feedChannels.topicData(feedId, topic));
    reply(JSON.stringify({ type: 'unsubscription-success', payload: { feedId, topic, type: 'topic' } }));
  }

  /**
   * Joins the channels and confirms. The hub adds the connection to a channel synchronously, before
   * its first await, so the confirmation written right after is queued before any data of the feed.
   */
  private async join(conn: HubConnection, channels: string[], confirm: () => void): Promise<void> {
    const fresh = channels.filter((c) => !conn.channels.has(c));
    let held = 0;
    for (const name of conn.channels.keys()) if (feedChannels.feedIdOf(name) !== null) held++;
    if (held + fresh.length > MAX_FEED_CHANNELS_PER_CONNECTION) {
      throw validationError(`At most ${MAX_FEED_CHANNELS_PER_CONNECTION} feed and topic subscriptions per connection`);
    }
    const pending = fresh.map((c) => this.hub.subscribe(conn, c, null, FEEDS_NAMESPACE));
    confirm();
    try {
      await Promise.all(pending);
    } catch {
      for (const c of fresh) this.hub.unsubscribe(conn, c);
      throw new DomainError('INTERNAL_ERROR', 'Subscription failed; try again');
    }
    this.ingestion.poke();
  }

  /**
   * Ends this instance's live subscriptions to a feed made private, deactivated or deleted (every
   * instance runs this; see FeedRevocationBus): each one gets an `unsubscribed` frame and no more
   * of the feed's data, which the hub stops at once.
   */
  private dropRevoked(r: FeedRevocation): void {
    this.revoked.set(r.feedId, (this.revoked.get(r.feedId) ?? 0) + 1);
    for (const conn of this.hub.allConnections()) {
      if (r.scope === 'others' && conn.identity?.accountId === r.ownerId) continue;
      this.drop(conn, r.feedId, r.reason);
    }
  }

  /** A subscribe that overlapped a revocation of its feed: keeps it only if the feed is still readable. */
  private async recheck(conn: HubConnection, accountId: string, feedId: string): Promise<void> {
    const feed = await this.feeds.readable(accountId, feedId).catch(() => null);
    if (!feed) this.drop(conn, feedId, 'private');
    else if (!feed.isActive && feed.ownerId !== accountId) this.drop(conn, feedId, 'inactive');
  }

  private drop(conn: HubConnection, feedId: string, reason: FeedRevocation['reason']): void {
    const ended = new Set<string | null>();
    for (const name of [...conn.channels.keys()]) {
      if (feedChannels.feedIdOf(name) !== feedId) continue;
      this.hub.unsubscribe(conn, name);
      ended.add(feedChannels.refOf(name)?.topic ?? null);
    }
    for (const topic of ended) this.hub.sendText(conn, unsubscribedFrame(feedId, topic, reason));
  }
}

const REVOKED_MESSAGES: Record<FeedRevocation['reason'], string> = {
  private: 'The feed was made private by its owner',
  inactive: 'The feed was deactivated by its owner',
  deleted: 'The feed was deleted',
};

/** A subscription the server ended: `{"type":"unsubscribed","payload":{feedId, type, [topic], reason, message}}`. */
function unsubscribedFrame(feedId: string, topic: string | null, reason: FeedRevocation['reason']): string {
  const subscription = topic === null ? { feedId, type: 'feed' } : { feedId, topic, type: 'topic' };
  return JSON.stringify({ type: 'unsubscribed', payload: { ...subscription, reason: `feed_${reason}`, message: REVOKED_MESSAGES[reason] } });
}

/** The account a connection acts for, if it holds `scope`; "insufficient permissions" otherwise. */
function accountWith(conn: HubConnection, scope: Scope): string {
  const identity = conn.identity;
  if (!identity || identity.accountId === null) throw authorizationError('insufficient permissions');
  if (identity.scopes !== null && !hasScope(identity.scopes, scope)) throw authorizationError('insufficient permissions');
  return identity.accountId;
}

/** Seed 003 puts the arguments in `payload`; top-level fields are accepted too. */
function payloadOf(message: Payload): Payload {
  const p = message.payload;
  return typeof p === 'object' && p !== null && !Array.isArray(p) ? (p as Payload) : message;
}

function feedIdOf(p: Payload): string {
  const id = p.feedId;
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw validationError('feedId required');
  return id;
}

function topicOf(p: Payload): string {
  const topic = p.topic;
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > MAX_TOPIC_LENGTH) {
    throw validationError(`topic required (1-${MAX_TOPIC_LENGTH} characters)`);
  }
  return topic;
}
