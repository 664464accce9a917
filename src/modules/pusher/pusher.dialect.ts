import { HubConnection } from '../../realtime/hub/hub-connection';
import { HubEvent, MEMBER_ADDED, MEMBER_REMOVED } from '../../realtime/hub/hub-event';
import type { WireDialect } from '../../realtime/hub/wire-dialect';
import { ONLINE_CHANNEL_PREFIX } from './pusher-channels';
import { pusherFrames } from './pusher-frames';
import { SERVER_TO_USER_PREFIX } from './pusher-limits';

export const PUSHER_TERMINATED = 4009;

/**
 * The Pusher wire format of hub events, built once per publish: `{"event","channel","data"}` with
 * `data` as published (REST triggers carry a string, so it arrives double-encoded as Pusher does);
 * `user_id` on client events in presence channels; presence changes as pusher_internal member
 * events; the online-state channels as watchlist events.
 */
export class PusherDialect implements WireDialect {
  readonly name = 'pusher';

  encodeChannelEvent(channel: string, event: HubEvent): string | null {
    if (event.name === MEMBER_ADDED || event.name === MEMBER_REMOVED) return this.presence(channel, event);
    if (event.name.startsWith('rb:')) return null;
    const head = `{"event":${JSON.stringify(event.name)},"channel":${JSON.stringify(channel)},"data":${event.dataJson}`;
    const fromMember = event.userId && event.name.startsWith('client-') && channel.startsWith('presence-');
    return fromMember ? `${head},"user_id":${JSON.stringify(event.userId)}}` : `${head}}`;
  }

  encodeBroadcast(): null {
    return null;
  }

  /** The event travels on the user's own `#server-to-user-<id>` channel. */
  readonly userEventNamesUser = true;

  encodeUserEvent(userId: string, event: HubEvent): string {
    return `{"event":${JSON.stringify(event.name)},"channel":${JSON.stringify(SERVER_TO_USER_PREFIX + userId)},"data":${event.dataJson}}`;
  }

  /** Pusher channels are never lossy. */
  encodeLagging(): null {
    return null;
  }

  terminate(conn: HubConnection): void {
    if (conn.closed) return;
    conn.ws.send(pusherFrames.error('You got disconnected by the app.', PUSHER_TERMINATED));
    conn.ws.close(PUSHER_TERMINATED, 'Terminated by the app');
  }

  private presence(channel: string, event: HubEvent): string {
    const member = JSON.parse(event.dataJson) as { userId: string; userInfo: unknown };
    if (channel.startsWith(ONLINE_CHANNEL_PREFIX)) {
      return pusherFrames.watchlist([{ name: event.name === MEMBER_ADDED ? 'online' : 'offline', user_ids: [member.userId] }]);
    }
    const data = event.name === MEMBER_ADDED ? { user_id: member.userId, user_info: member.userInfo ?? undefined } : { user_id: member.userId };
    const name = event.name === MEMBER_ADDED ? 'pusher_internal:member_added' : 'pusher_internal:member_removed';
    return JSON.stringify({ event: name, channel, data: JSON.stringify(data) });
  }
}
