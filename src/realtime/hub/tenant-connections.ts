import type { HubConnection } from './hub-connection';

/**
 * A group of connections on this instance, grouped by dialect: a tenant's (the audience of a
 * broadcast) or one user's (the audience of user-addressed events).
 */
export class TenantConnections {
  readonly byDialect: Array<Set<HubConnection> | undefined> = [];
  size = 0;
  /** Settles when this instance's bus subscription for the tenant's broadcasts is active. */
  ready: Promise<void> = Promise.resolve();
  /** `ready` has settled successfully (joiners need not wait). */
  isReady = false;

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
