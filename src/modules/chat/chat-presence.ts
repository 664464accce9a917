import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import type { PresenceMember } from '../../realtime/access/channel-access';
import type { HubConnection } from '../../realtime/hub/hub-connection';
import { RealtimeHub } from '../../realtime/hub/realtime-hub.service';
import { roomPresenceChannel } from './chat-names';

/**
 * Who is in a room right now: the hub's presence on the room's presence channel, which counts a
 * user once across connections and instances (online from the first connection that joined until
 * the last one leaves or closes); member_added / member_removed reach the room's connections.
 */
@Injectable()
export class ChatPresence {
  constructor(private readonly hub: RealtimeHub) {}

  /** Puts a connection in the room; counts against the tenant's channels-per-connection limit. */
  async enter(conn: HubConnection, room: string): Promise<void> {
    const channel = roomPresenceChannel(room);
    if (conn.channels.has(channel)) return;
    const limit = conn.tenant!.limits.maxChannelsPerConnection;
    if (conn.channels.size >= limit) {
      throw new DomainError('QUOTA_EXCEEDED', `Channel limit reached: at most ${limit} rooms and channels per connection`);
    }
    const userId = conn.identity!.userId!;
    try {
      await this.hub.subscribe(conn, channel, { userId, userInfo: conn.identity!.userInfo ?? null });
    } catch {
      this.hub.unsubscribe(conn, channel);
      throw new DomainError('SERVICE_UNAVAILABLE', 'Could not join the room right now; try again');
    }
  }

  exit(conn: HubConnection, room: string): void {
    this.hub.unsubscribe(conn, roomPresenceChannel(room));
  }

  /** Whether this connection joined the room. */
  inRoom(conn: HubConnection, room: string): boolean {
    return conn.channels.has(roomPresenceChannel(room));
  }

  /** Takes a user who left or was removed out of the room's presence on every instance. */
  evict(tenantId: string, userId: string, room: string): void {
    this.hub.evictUser(tenantId, userId, roomPresenceChannel(room));
  }

  online(tenantId: string, room: string): Promise<PresenceMember[]> {
    return this.hub.clusterMembers(tenantId, roomPresenceChannel(room));
  }
}
