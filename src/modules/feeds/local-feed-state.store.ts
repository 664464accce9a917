import { FeedStateStore, FeedStatsDelta, FeedStatusRecord, FeedTopicStat, iso, UpstreamState } from './feed-state.store';

interface LocalStatus {
  state: UpstreamState;
  connectedAt: number | null;
  lastMessageAt: number | null;
  messages: number;
  bytes: number;
  reconnects: number;
  oversized: number;
  withoutTopic: number;
  lastError: string | null;
  lastErrorAt: number | null;
}

/** Embedded mode: this instance is the cluster, so the state lives in its memory. */
export class LocalFeedStateStore implements FeedStateStore {
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();
  private readonly statuses = new Map<string, LocalStatus>();
  private readonly topicStats = new Map<string, Map<string, { count: number; lastSeenAt: number }>>();
  private readonly windows = new Map<string, string[]>();

  async acquireLease(feedId: string, owner: string, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(feedId);
    if (lease && lease.expiresAt > Date.now()) return false;
    this.leases.set(feedId, { owner, expiresAt: Date.now() + ttlMs });
    return true;
  }

  async renewLease(feedId: string, owner: string, ttlMs: number): Promise<boolean> {
    const lease = this.leases.get(feedId);
    if (!lease || lease.owner !== owner || lease.expiresAt <= Date.now()) return false;
    lease.expiresAt = Date.now() + ttlMs;
    return true;
  }

  async releaseLease(feedId: string, owner: string): Promise<void> {
    if (this.leases.get(feedId)?.owner === owner) this.leases.delete(feedId);
  }

  async leaseHolder(feedId: string): Promise<string | null> {
    const lease = this.leases.get(feedId);
    return lease && lease.expiresAt > Date.now() ? lease.owner : null;
  }

  async setState(feedId: string, state: UpstreamState, fields: { connectedAt?: number | null; lastError?: string }): Promise<void> {
    const s = this.statusOf(feedId);
    s.state = state;
    if (fields.connectedAt !== undefined) s.connectedAt = fields.connectedAt;
    if (fields.lastError !== undefined) {
      s.lastError = fields.lastError;
      s.lastErrorAt = Date.now();
    }
  }

  async flush(feedId: string, d: FeedStatsDelta, windowLimit: number): Promise<void> {
    const s = this.statusOf(feedId);
    s.messages += d.messages;
    s.bytes += d.bytes;
    s.reconnects += d.reconnects;
    s.oversized += d.oversizedDropped;
    s.withoutTopic += d.withoutTopic;
    if (d.lastMessageAt) s.lastMessageAt = d.lastMessageAt;
    let topics = this.topicStats.get(feedId);
    if (!topics) this.topicStats.set(feedId, (topics = new Map()));
    for (const [topic, t] of d.topics) {
      const seen = topics.get(topic);
      if (seen) {
        seen.count += t.count;
        seen.lastSeenAt = t.lastSeenAt;
      } else topics.set(topic, { ...t });
    }
    for (const [topic, entries] of d.windows) {
      const key = windowKey(feedId, topic);
      const list = (this.windows.get(key) ?? []).concat(entries);
      this.windows.set(key, list.length > windowLimit ? list.slice(list.length - windowLimit) : list);
    }
  }

  async status(feedId: string): Promise<FeedStatusRecord> {
    const s = this.statuses.get(feedId);
    const holder = await this.leaseHolder(feedId);
    return {
      state: holder && s ? s.state : 'stopped',
      ingestedBy: holder,
      lastMessageAt: iso(s?.lastMessageAt),
      connectedAt: holder ? iso(s?.connectedAt) : null,
      messagesReceived: s?.messages ?? 0,
      bytesReceived: s?.bytes ?? 0,
      reconnects: s?.reconnects ?? 0,
      oversizedDropped: s?.oversized ?? 0,
      messagesWithoutTopic: s?.withoutTopic ?? 0,
      lastError: s?.lastError ?? null,
      lastErrorAt: iso(s?.lastErrorAt),
    };
  }

  async topics(feedId: string): Promise<FeedTopicStat[]> {
    return [...(this.topicStats.get(feedId) ?? new Map<string, { count: number; lastSeenAt: number }>())].map(([topic, t]) => ({
      topic,
      messageCount: t.count,
      lastSeenAt: iso(t.lastSeenAt),
    }));
  }

  async window(feedId: string, topic: string | null, limit: number): Promise<string[]> {
    const list = this.windows.get(windowKey(feedId, topic)) ?? [];
    return list.slice(Math.max(0, list.length - limit));
  }

  async clear(feedId: string): Promise<void> {
    this.statuses.delete(feedId);
    this.topicStats.delete(feedId);
    for (const key of [...this.windows.keys()]) if (key === feedId || key.startsWith(feedId + '\n')) this.windows.delete(key);
  }

  private statusOf(feedId: string): LocalStatus {
    let s = this.statuses.get(feedId);
    if (!s) {
      s = { state: 'stopped', connectedAt: null, lastMessageAt: null, messages: 0, bytes: 0, reconnects: 0, oversized: 0, withoutTopic: 0, lastError: null, lastErrorAt: null };
      this.statuses.set(feedId, s);
    }
    return s;
  }
}

const windowKey = (feedId: string, topic: string | null) => (topic === null ? feedId : `${feedId}\n${topic}`);
