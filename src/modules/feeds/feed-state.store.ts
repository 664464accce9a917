/** Upstream connection states (seed/issue: connecting, connected, backing off, stopped). */
export type UpstreamState = 'connecting' | 'connected' | 'backing_off' | 'stopped';

/** What the ingesting instance has gathered since its last flush. */
export interface FeedStatsDelta {
  messages: number;
  bytes: number;
  reconnects: number;
  oversizedDropped: number;
  withoutTopic: number;
  lastMessageAt: number | null;
  /** Per topic: messages since the last flush and when the last one came. */
  topics: Map<string, { count: number; lastSeenAt: number }>;
  /** New window entries (feed-data payload JSON), oldest first; key null is the feed-wide window. */
  windows: Map<string | null, string[]>;
}

export interface FeedStatusRecord {
  state: UpstreamState;
  /** The instance holding the feed's lease, or null when no instance ingests it. */
  ingestedBy: string | null;
  lastMessageAt: string | null;
  connectedAt: string | null;
  messagesReceived: number;
  bytesReceived: number;
  reconnects: number;
  oversizedDropped: number;
  messagesWithoutTopic: number;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface FeedTopicStat {
  topic: string;
  messageCount: number;
  lastSeenAt: string | null;
}

/**
 * Where feed ingestion keeps what every instance must see: the ingestion leases, the upstream status
 * and counters, the topics seen and the per-topic windows (the LLM context). Two implementations:
 * Redis (full mode, shared by the cluster) and in-process (embedded mode: one instance).
 */
export interface FeedStateStore {
  /** Takes the lease if nobody holds it. */
  acquireLease(feedId: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extends the lease if `owner` still holds it; false when it was lost. */
  renewLease(feedId: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `owner` holds it. */
  releaseLease(feedId: string, owner: string): Promise<void>;
  leaseHolder(feedId: string): Promise<string | null>;
  setState(feedId: string, state: UpstreamState, fields: { connectedAt?: number | null; lastError?: string }): Promise<void>;
  /** Adds the delta to the counters and appends the windows, each trimmed to `windowLimit`. */
  flush(feedId: string, delta: FeedStatsDelta, windowLimit: number): Promise<void>;
  status(feedId: string): Promise<FeedStatusRecord>;
  topics(feedId: string): Promise<FeedTopicStat[]>;
  /** The last `limit` window entries (feed-data payload JSON), oldest first; topic null: the whole feed. */
  window(feedId: string, topic: string | null, limit: number): Promise<string[]>;
  /** Forgets everything about a deleted feed (the lease excepted: its holder stops on its own). */
  clear(feedId: string): Promise<void>;
}

export const FEED_STATE_STORE = Symbol('FEED_STATE_STORE');

export function emptyDelta(): FeedStatsDelta {
  return { messages: 0, bytes: 0, reconnects: 0, oversizedDropped: 0, withoutTopic: 0, lastMessageAt: null, topics: new Map(), windows: new Map() };
}

export function isEmptyDelta(d: FeedStatsDelta): boolean {
  return d.messages === 0 && d.reconnects === 0 && d.oversizedDropped === 0 && d.windows.size === 0 && d.topics.size === 0;
}

export const iso = (ms: number | null | undefined): string | null => (ms ? new Date(ms).toISOString() : null);
