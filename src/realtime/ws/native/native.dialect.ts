import { HubEvent, MEMBER_ADDED, MEMBER_REMOVED } from '../../hub/hub-event';
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
export class NativeDialect implements WireDialect {
  readonly name = 'native';

  encodeChannelEvent(channel: string, event: HubEvent): string {
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

  terminate(conn: HubConnection): void {
    conn.ws.close(CLOSE_CODES.TERMINATED, 'Terminated by the application');
  }

  private typeOf(name: string): string {
    if (name === MEMBER_ADDED) return '"member_added"';
    if (name === MEMBER_REMOVED) return '"member_removed"';
    return JSON.stringify(name);
  }
}
