import type { HubConnection } from './hub-connection';
import { PresenceRoster } from './presence-roster';

/** A channel with subscribers on this instance: its connections grouped by dialect. */
export class LocalChannel {
  /** Subscribers per dialect index, so a publish serialises once per dialect present. */
  readonly byDialect: Array<Set<HubConnection> | undefined> = [];
  size = 0;
  /** Settles when this instance's bus subscription for the channel is active. */
  ready: Promise<void> = Promise.resolve();
  /** `ready` has settled successfully (joiners need not wait). */
  isReady = false;
  readonly roster: PresenceRoster | null;

  constructor(
    readonly key: string,
    readonly tenantId: string,
    readonly name: string,
    presence: boolean,
    /** Slow subscribers lose the oldest frames instead of being disconnected (feed data). */
    readonly lossy = false,
  ) {
    this.roster = presence ? new PresenceRoster() : null;
  }

  add(conn: HubConnection): void {
    let set = this.byDialect[conn.dialect];
    if (!set) this.byDialect[conn.dialect] = set = new Set();
    if (!set.has(conn)) {
      set.add(conn);
      this.size++;
    }
  }

  remove(conn: HubConnection): void {
    if (this.byDialect[conn.dialect]?.delete(conn)) this.size--;
  }
}
