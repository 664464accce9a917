import type { HubConnection } from './hub-connection';
import type { HubEvent } from './hub-event';

/** A wire format. The hub calls it once per publish, never per recipient. */
export interface WireDialect {
  readonly name: string;
  /**
   * The text of a channel event (presence events carry the `rb:` names of hub-event.ts), or null
   * when the event means nothing in this dialect (another dialect's protocol-internal event).
   */
  encodeChannelEvent(channel: string, event: HubEvent): string | null;
  /** The text of a tenant-wide broadcast, or null when the dialect has none. */
  encodeBroadcast(event: HubEvent): string | null;
  /** The text of an event addressed to one user (notifications, server-to-user), or null when the dialect has none. */
  encodeUserEvent(userId: string, event: HubEvent): string | null;
  /**
   * Whether encodeUserEvent's text names the user (Pusher's `#server-to-user-<id>` channel). When it
   * does not, an event published to several users is encoded once for all of them.
   */
  readonly userEventNamesUser: boolean;
  /** The one notice a slow subscriber of a lossy channel gets when its oldest frames start being dropped, or null. */
  encodeLagging(): string | null;
  /** Ends a connection whose user was terminated by the tenant's backend (the dialect's close code and notice). */
  terminate(conn: HubConnection): void;
}
