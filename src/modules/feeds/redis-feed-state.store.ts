import type { Redis } from 'ioredis';
import { FeedStateStore, FeedStatsDelta, FeedStatusRecord, FeedTopicStat, iso, UpstreamState } from './feed-state.store';

/** Extends the lease only while `owner` holds it (a plain PEXPIRE could extend another's lease). */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** Windows of topics nobody has sent for a week go away on their own. */
const WINDOW_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * Full mode. Keys, under REDIS_KEY_PREFIX (`P`):
 *   P:feeds:lease:<feed>           STRING  instance id of the ingesting instance (PX = FEED_LEASE_TTL_MS)
 *   P:feeds:status:<feed>          HASH    state, connectedAt, lastError(At), lastMessageAt, counters
 *   P:feeds:topics:<feed>          HASH    topic -> messages seen
 *   P:feeds:seen:<feed>            HASH    topic -> last seen (ms)
 *   P:feeds:win:<feed>             LIST    last LLM_CONTEXT_LIMIT feed-data payloads, newest first
 *   P:feeds:win:<feed>:<topic>     LIST    the same per topic (topic URI-encoded)
 */
export class RedisFeedStateStore implements FeedStateStore {
  private readonly p: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.p = `${keyPrefix}:feeds:`;
  }

  async acquireLease(feedId: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.lease(feedId), owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async renewLease(feedId: string, owner: string, ttlMs: number): Promise<boolean> {
    return Number(await this.redis.eval(RENEW, 1, this.lease(feedId), owner, String(ttlMs))) === 1;
  }

  async releaseLease(feedId: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.lease(feedId), owner);
  }

  leaseHolder(feedId: string): Promise<string | null> {
    return this.redis.get(this.lease(feedId));
  }

  async setState(feedId: string, state: UpstreamState, fields: { connectedAt?: number | null; lastError?: string }): Promise<void> {
    const values: Record<string, string> = { state };
    if (fields.connectedAt !== undefined) values.connectedAt = String(fields.connectedAt ?? '');
    if (fields.lastError !== undefined) {
      values.lastError = fields.lastError;
      values.lastErrorAt = String(Date.now());
    }
    await this.redis.hset(this.p + 'status:' + feedId, values);
  }

  async flush(feedId: string, d: FeedStatsDelta, windowLimit: number): Promise<void> {
    const status = this.p + 'status:' + feedId;
    const m = this.redis.multi();
    if (d.messages) m.hincrby(status, 'messages', d.messages);
    if (d.bytes) m.hincrby(status, 'bytes', d.bytes);
    if (d.reconnects) m.hincrby(status, 'reconnects', d.reconnects);
    if (d.oversizedDropped) m.hincrby(status, 'oversized', d.oversizedDropped);
    if (d.withoutTopic) m.hincrby(status, 'withoutTopic', d.withoutTopic);
    if (d.lastMessageAt) m.hset(status, 'lastMessageAt', String(d.lastMessageAt));
    for (const [topic, t] of d.topics) {
      m.hincrby(this.p + 'topics:' + feedId, topic, t.count);
      m.hset(this.p + 'seen:' + feedId, topic, String(t.lastSeenAt));
    }
    for (const [topic, entries] of d.windows) {
      const key = this.windowKey(feedId, topic);
      m.lpush(key, ...entries);
      m.ltrim(key, 0, windowLimit - 1);
      m.pexpire(key, WINDOW_TTL_MS);
    }
    await m.exec();
  }

  async status(feedId: string): Promise<FeedStatusRecord> {
    const [s, holder] = await Promise.all([this.redis.hgetall(this.p + 'status:' + feedId), this.leaseHolder(feedId)]);
    const n = (k: string) => Number(s[k] ?? 0);
    const ms = (k: string) => (s[k] ? Number(s[k]) : null);
    return {
      state: holder && s.state ? (s.state as UpstreamState) : 'stopped',
      ingestedBy: holder,
      lastMessageAt: iso(ms('lastMessageAt')),
      connectedAt: holder ? iso(ms('connectedAt')) : null,
      messagesReceived: n('messages'),
      bytesReceived: n('bytes'),
      reconnects: n('reconnects'),
      oversizedDropped: n('oversized'),
      messagesWithoutTopic: n('withoutTopic'),
      lastError: s.lastError || null,
      lastErrorAt: iso(ms('lastErrorAt')),
    };
  }

  async topics(feedId: string): Promise<FeedTopicStat[]> {
    const [counts, seen] = await Promise.all([this.redis.hgetall(this.p + 'topics:' + feedId), this.redis.hgetall(this.p + 'seen:' + feedId)]);
    return Object.keys(counts).map((topic) => ({ topic, messageCount: Number(counts[topic]), lastSeenAt: iso(Number(seen[topic]) || null) }));
  }

  async window(feedId: string, topic: string | null, limit: number): Promise<string[]> {
    return (await this.redis.lrange(this.windowKey(feedId, topic), 0, limit - 1)).reverse();
  }

  async clear(feedId: string): Promise<void> {
    const topics = Object.keys(await this.redis.hgetall(this.p + 'topics:' + feedId));
    const keys = ['status:', 'topics:', 'seen:', 'win:'].map((k) => this.p + k + feedId);
    await this.redis.del(...keys, ...topics.map((t) => this.windowKey(feedId, t)));
  }

  private lease(feedId: string): string {
    return this.p + 'lease:' + feedId;
  }

  private windowKey(feedId: string, topic: string | null): string {
    return topic === null ? `${this.p}win:${feedId}` : `${this.p}win:${feedId}:${encodeURIComponent(topic)}`;
  }
}
