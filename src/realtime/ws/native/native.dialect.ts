import { HubEvent, MEMBER_ADDED, MEMBER_REMOVED, PUSHER_INTERNAL_PREFIX } from '../../hub/hub-event';
import type { HubConnection } from '../../hub/hub-connection';
import type { WireDialect } from '../../hub/wire-dialect';
import { CLOSE_CODES } from '../close-codes';

/**
 * The native wire format of events (seed 004): `{"type": <event>, "channel": <name>, "data": <payload>}`,
 * with `"from": <user id>` when an end user published it; presence changes as `member_added` /
 * `member_removed` with `data: {userId, userInfo}`; seed 001's broadcast as
 * `{"type": "broadcast", "payload": ..., "from": ...}`. Built by concatenation around the
 * already-serialised payload: the payload is never parsed or serialised again.
 */
/**
 * Events named `rb:payload:<type>` (reserved `rb:` prefix: only the server publishes them) are written
 * as `{"type": <type>, "payload": <data>}`, the shape of seed 003's `feed-data` and `llm-intelligence`.
 */
export const PAYLOAD_EVENT_PREFIX = 'rb:payload:';

export class NativeDialect implements WireDialect {
  readonly name = 'native';
  /** Seed 004's user events carry no user id: one text serves every user of a publish. */
  readonly userEventNamesUser = false;

  encodeChannelEvent(channel: string, event: HubEvent): string | null {
    // Pusher's protocol-internal events (subscription counts) mean nothing to native clients.
    if (event.name.startsWith(PUSHER_INTERNAL_PREFIX)) return null;
    // Seed 003's feed events (`feed-data`, `llm-intelligence`): `{"type": ..., "payload": ...}`.
    if (event.name.startsWith(PAYLOAD_EVENT_PREFIX)) {
      return `{"type":${JSON.stringify(event.name.slice(PAYLOAD_EVENT_PREFIX.length))},"payload":${event.dataJson}}`;
    }
    const head = `{"type":${this.typeOf(event.name)},"channel":${JSON.stringify(channel)},"data":${event.dataJson}`;
    const internal = event.name === MEMBER_ADDED || event.name === MEMBER_REMOVED;
    return internal || !event.userId ? `${head}}` : `${head},"from":${JSON.stringify(event.userId)}}`;
  }

  encodeBroadcast(event: HubEvent): string {
    const head = `{"type":"broadcast","payload":${event.dataJson}`;
    return event.userId ? `${head},"from":${JSON.stringify(event.userId)}}` : `${head}}`;
  }

  /** Seed 004's shape for user-addressed events: `{"type":"notification","data":{...}}`. */
  encodeUserEvent(_userId: string, event: HubEvent): string {
    return `{"type":${this.typeOf(event.name)},"data":${event.dataJson}}`;
  }

  encodeLagging(): string {
    return '{"type":"lagging","data":{"message":"You are not reading fast enough: the oldest feed frames are being dropped"}}';
  }

  terminate(conn: HubConnection): void {
    conn.ws.close(CLOSE_CODES.TERMINATED, 'Terminated by the application');
  }

  private typeOf(name: string): string {
    if (name === MEMBER_ADDED) return '"member_added"';
    if (name === MEMBER_REMOVED) return '"member_removed"';
    return JSON.stringify(name);
  }
}
