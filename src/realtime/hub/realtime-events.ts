/** What the hub reports to the rest of the system (webhooks): cluster-wide transitions and dialect events. */
export interface RealtimeEvent {
  name:
    | 'connection_established'
    | 'connection_disconnected'
    | 'channel_occupied'
    | 'channel_vacated'
    | 'member_added'
    | 'member_removed'
    | 'client_event'
    | 'cache_miss'
    | 'subscription_count';
  channel?: string;
  userId?: string;
  socketId?: string;
  event?: string;
  data?: unknown;
  subscriptionCount?: number;
}

/** Receives realtime events; it must not throw and must not block (the webhook dispatcher queues them). */
export interface RealtimeEventSink {
  emit(tenantId: string, event: RealtimeEvent): Promise<void>;
}

export const REALTIME_EVENT_SINK = Symbol('REALTIME_EVENT_SINK');

/**
 * Which hub happenings become events: only tenants' own channels. Internal channels (a `#` in the
 * name: Pusher online state, chat room presence, feed channels in their own namespace) are not the
 * tenant's channels and report nothing.
 */
export class HubEventReporter {
  constructor(private readonly sink: RealtimeEventSink) {}

  connection(tenantId: string, socketId: string, open: boolean): void {
    void this.sink.emit(tenantId, { name: open ? 'connection_established' : 'connection_disconnected', socketId });
  }

  /** After a subscription change of `delta`, the cluster count is `count`: 0→1 is occupied, →0 vacated. */
  occupancy(tenantId: string, channel: string, delta: number, count: number): void {
    if (channel.includes('#')) return;
    if (delta > 0 && count === delta) void this.sink.emit(tenantId, { name: 'channel_occupied', channel });
    else if (delta < 0 && count <= 0) void this.sink.emit(tenantId, { name: 'channel_vacated', channel });
  }

  member(tenantId: string, channel: string, userId: string, added: boolean): void {
    if (channel.includes('#')) return;
    void this.sink.emit(tenantId, { name: added ? 'member_added' : 'member_removed', channel, userId });
  }

  /** Dialect events (client events, cache misses, subscription counts). */
  report(tenantId: string, event: RealtimeEvent): void {
    if (event.channel?.includes('#')) return;
    void this.sink.emit(tenantId, event);
  }
}
