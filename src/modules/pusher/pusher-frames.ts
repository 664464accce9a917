import type { PresenceMember } from '../../realtime/access/channel-access';

/**
 * Pusher protocol 7 frames, server to client. `data` is a JSON-encoded string except on
 * pusher:error and pusher:signin_success (the reference's §2).
 */
export const pusherFrames = {
  /** Built by hand: a socket id is `<digits>.<digits>`, so nothing in it needs escaping (sent once per connection). */
  connectionEstablished(socketId: string, activityTimeout: number): string {
    return `{"event":"pusher:connection_established","data":"{\\"socket_id\\":\\"${socketId}\\",\\"activity_timeout\\":${activityTimeout}}"}`;
  },
  error(message: string, code: number | null, channel?: string): string {
    return JSON.stringify(channel === undefined ? { event: 'pusher:error', data: { message, code } } : { event: 'pusher:error', channel, data: { message, code } });
  },
  pong(): string {
    return '{"event":"pusher:pong","data":{}}';
  },
  subscriptionSucceeded(channel: string, members: PresenceMember[] | null): string {
    if (!members) return `{"event":"pusher_internal:subscription_succeeded","channel":${JSON.stringify(channel)},"data":"{}"}`;
    const hash: Record<string, unknown> = {};
    for (const m of members) hash[m.userId] = m.userInfo ?? null;
    const ids = Object.keys(hash);
    return JSON.stringify({
      event: 'pusher_internal:subscription_succeeded',
      channel,
      data: JSON.stringify({ presence: { ids, hash, count: ids.length } }),
    });
  },
  /** The channel-scoped form pusher-js hands to `channel.bind('pusher:subscription_error')`. */
  subscriptionError(channel: string, type: 'AuthError' | 'LimitReached' | 'ServerError', error: string, status: number): string {
    return JSON.stringify({ event: 'pusher:subscription_error', channel, data: { type, error, status } });
  },
  cacheMiss(channel: string): string {
    return JSON.stringify({ event: 'pusher:cache_miss', channel });
  },
  signinSuccess(userData: string): string {
    return JSON.stringify({ event: 'pusher:signin_success', data: { user_data: userData } });
  },
  watchlist(events: Array<{ name: 'online' | 'offline'; user_ids: string[] }>): string {
    return JSON.stringify({ event: 'pusher_internal:watchlist_events', data: { events } });
  },
};
