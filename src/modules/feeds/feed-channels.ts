import { PAYLOAD_EVENT_PREFIX } from '../../realtime/ws/native/native.dialect';

/**
 * Hub addressing of feed data. Feed subscribers are accounts and API keys that may have no tenant,
 * so feed channels live in their own hub namespace, `feeds`, beside the tenants' namespaces (tenant
 * ids are UUIDs). Their names contain `#`, which tenant channel names cannot, so they never collide
 * with a tenant channel in a connection's channel map; topics are URI-encoded, so a channel name
 * never holds a newline or a `#` from the upstream's data.
 */
export const FEEDS_NAMESPACE = 'feeds';

/** Rendered by the native dialect as `{"type":"feed-data","payload":...}` (seed 003). */
export const FEED_DATA_EVENT = `${PAYLOAD_EVENT_PREFIX}feed-data`;
/** For the LLM issue: analyses published to `feedChannels.topic(...)`. */
export const LLM_INTELLIGENCE_EVENT = `${PAYLOAD_EVENT_PREFIX}llm-intelligence`;

const FEED = 'feed#';
/** Every feed channel starts with this: the hub treats them as lossy (slow subscribers lose the oldest frames). */
export const FEED_CHANNEL_PREFIX = FEED;

/** A feed channel's feed, and its topic (null for a raw feed channel). */
export interface FeedChannelRef {
  feedId: string;
  topic: string | null;
}

export const feedChannels = {
  /** Raw data of a feed without topic routing (`subscribe-feed`). */
  feed: (feedId: string): string => `${FEED}${feedId}`,
  /** A topic's intelligence (`subscribe-topic`; `llm-intelligence`, issue 8). */
  topic: (feedId: string, topic: string): string => `${FEED}${feedId}#topic#${encodeURIComponent(topic)}`,
  /** A topic's routed raw data (`subscribe-topic` with `includeData: true`). */
  topicData: (feedId: string, topic: string): string => `${FEED}${feedId}#data#${encodeURIComponent(topic)}`,
  /** What a feed channel is about (its feed, and its topic for topic channels), or null for any other name. */
  refOf(channel: string): FeedChannelRef | null {
    const feedId = feedChannels.feedIdOf(channel);
    if (feedId === null) return null;
    const rest = channel.slice(FEED.length + feedId.length);
    if (rest === '') return { feedId, topic: null };
    const mark = rest.startsWith('#topic#') ? '#topic#' : rest.startsWith('#data#') ? '#data#' : null;
    if (mark === null) return null;
    try {
      return { feedId, topic: decodeURIComponent(rest.slice(mark.length)) };
    } catch {
      return null;
    }
  },
  /** The feed id a feed channel belongs to, or null for any other name. */
  feedIdOf(channel: string): string | null {
    if (!channel.startsWith(FEED)) return null;
    const end = channel.indexOf('#', FEED.length);
    return end === -1 ? channel.slice(FEED.length) : channel.slice(FEED.length, end);
  },
};
