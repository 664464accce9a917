/** Every event a webhook endpoint can subscribe to. */
export const WEBHOOK_EVENT_NAMES = [
  'connection_established',
  'connection_disconnected',
  'channel_occupied',
  'channel_vacated',
  'member_added',
  'member_removed',
  'client_event',
  'cache_miss',
  'subscription_count',
  'message_created',
  'notification_created',
] as const;

export type WebhookEventName = (typeof WEBHOOK_EVENT_NAMES)[number];

export const WEBHOOK_FORMATS = ['pusher', 'native'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/**
 * What a producer (the realtime hub, chat, notifications) hands to `WebhookDispatcher.emit`.
 * Only the fields that apply to the event are set.
 */
export interface WebhookEvent {
  name: WebhookEventName;
  /** Channel (or room) the event happened on; endpoints' channelPrefix filters on it. */
  channel?: string;
  /** End user: presence member, client-event sender on presence channels, message author... */
  userId?: string;
  socketId?: string;
  /** client_event: the client event's name (`client-...`). */
  event?: string;
  /** client_event: the payload as the client sent it; message/notification events: the object. */
  data?: unknown;
  /** subscription_count: subscriptions on the channel, cluster-wide. */
  subscriptionCount?: number;
  /** When it happened (unix ms); the dispatcher sets it to now when missing. */
  timeMs?: number;
}

/** What a body can carry: an event, or the `ping` that `POST .../test` sends. */
export type OutgoingEvent = Omit<WebhookEvent, 'name'> & { name: WebhookEventName | 'ping' };

/** The event as a Pusher-format body carries it (Pusher's field names). */
export function toPusherEvent(e: OutgoingEvent): Record<string, unknown> {
  return compact({
    name: e.name,
    channel: e.channel,
    event: e.event,
    data: e.data,
    socket_id: e.socketId,
    user_id: e.userId,
    subscription_count: e.subscriptionCount,
  });
}

/** The event as a native-format body carries it (the camelCase of the /api envelope). */
export function toNativeEvent(e: OutgoingEvent): Record<string, unknown> {
  return compact({
    name: e.name,
    channel: e.channel,
    event: e.event,
    data: e.data,
    socketId: e.socketId,
    userId: e.userId,
    subscriptionCount: e.subscriptionCount,
    timeMs: e.timeMs,
  });
}

/** Whether an endpoint with these filters wants the event. Events without a channel ignore the prefix. */
export function endpointWants(filter: { events: readonly string[]; channelPrefix: string | null }, e: WebhookEvent): boolean {
  if (!filter.events.includes(e.name)) return false;
  if (filter.channelPrefix && e.channel !== undefined) return e.channel.startsWith(filter.channelPrefix);
  return true;
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
