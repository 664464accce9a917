/**
 * An event as the hub carries it, before any dialect shapes it. `dataJson` is the payload already
 * serialised (once, by the publisher), so neither the bus nor the dialects serialise it again.
 */
export interface HubEvent {
  /** The event name; internal events (presence) use the reserved `rb:` prefix. */
  name: string;
  dataJson: string;
  /** A socket id that must not receive it (the sender of a client event), or ''. */
  excludeSocketId: string;
  /** The user it came from, where that matters to a dialect, or ''. */
  userId: string;
  /** Date.now() at the publisher, for the publish-to-send latency metric. */
  publishedAt: number;
}

export const MEMBER_ADDED = 'rb:member_added';
export const MEMBER_REMOVED = 'rb:member_removed';

/** Events only the Pusher dialect renders (`pusher_internal:subscription_count`); other dialects skip them. */
export const PUSHER_INTERNAL_PREFIX = 'pusher_internal:';
