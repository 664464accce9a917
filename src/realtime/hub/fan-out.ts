import type { RealtimeMetrics } from '../metrics/realtime-metrics.service';
import type { HubConnection } from './hub-connection';
import type { HubEvent } from './hub-event';
import type { LocalChannel } from './local-channel';
import type { TenantConnections } from './tenant-connections';
import { encodeTextFrame } from './text-frame';
import type { WireDialect } from './wire-dialect';
import { WriteCoalescer } from './write-coalescer';

/**
 * Delivery to this instance's connections: per publish, one text and one frame per dialect present,
 * the same Buffer handed to every recipient's coalesced socket. Synchronous, no per-recipient work
 * beyond the write itself.
 */
export class FanOut {
  readonly dialects: WireDialect[] = [];
  private readonly coalescer: WriteCoalescer;

  constructor(
    maxBufferedBytes: number,
    private readonly metrics: RealtimeMetrics,
    onSlowConsumer: (conn: HubConnection) => void,
    onLossyDrop: (conn: HubConnection, dropped: number) => void = () => undefined,
  ) {
    this.coalescer = new WriteCoalescer(maxBufferedBytes, onSlowConsumer, () => metrics.observeFlush(), onLossyDrop);
  }

  /** Whether frames wait for the coalescer's scheduled flush (WriteCoalescer.flushPending). */
  get writesPending(): boolean {
    return this.coalescer.flushPending;
  }

  toChannel(ch: LocalChannel, event: HubEvent): void {
    let written = 0;
    for (let d = 0; d < ch.byDialect.length; d++) {
      const set = ch.byDialect[d];
      if (!set || set.size === 0) continue;
      const text = this.dialects[d].encodeChannelEvent(ch.name, event);
      if (text === null) continue;
      written += ch.lossy ? this.writeAllLossy(set, encodeTextFrame(text), event.excludeSocketId) : this.writeAll(set, encodeTextFrame(text), event.excludeSocketId);
    }
    this.noteDelivery(written, event);
  }

  toTenant(group: TenantConnections, event: HubEvent): void {
    let written = 0;
    for (let d = 0; d < group.byDialect.length; d++) {
      const set = group.byDialect[d];
      if (!set || set.size === 0) continue;
      const text = this.dialects[d].encodeBroadcast(event);
      if (text !== null) written += this.writeAll(set, encodeTextFrame(text), event.excludeSocketId);
    }
    this.noteDelivery(written, event);
  }

  toUser(group: TenantConnections, userId: string, event: HubEvent): void {
    this.noteDelivery(this.writeUserEvent(group, userId, event, null), event);
  }

  /**
   * One event to several users (`groups[i]` holds the connections of `userIds[i]`): a dialect whose
   * user events do not name the user encodes it once, and every user's connections get that frame.
   */
  toUsers(groups: readonly TenantConnections[], userIds: readonly string[], event: HubEvent): void {
    // Per dialect: the frame shared by every user (undefined until a connection of it needs one).
    const shared: Array<Buffer | null | undefined> = [];
    let written = 0;
    for (let u = 0; u < groups.length; u++) written += this.writeUserEvent(groups[u], userIds[u], event, shared);
    this.noteDelivery(written, event);
  }

  /** Writes a user event to the user's connections; `shared` (or null) holds frames that serve every user. */
  private writeUserEvent(group: TenantConnections, userId: string, event: HubEvent, shared: Array<Buffer | null | undefined> | null): number {
    let written = 0;
    for (let d = 0; d < group.byDialect.length; d++) {
      const set = group.byDialect[d];
      if (!set || set.size === 0) continue;
      const dialect = this.dialects[d];
      const sharable = shared !== null && !dialect.userEventNamesUser;
      let frame = sharable ? shared[d] : undefined;
      if (frame === undefined) {
        frame = frameOf(dialect.encodeUserEvent(userId, event));
        if (sharable) shared[d] = frame;
      }
      if (frame !== null) written += this.writeAll(set, frame, event.excludeSocketId);
    }
    return written;
  }

  /** One connection's protocol frame (reply, error), through the same coalesced path. */
  sendText(conn: HubConnection, text: string): void {
    this.coalescer.reply(conn, encodeTextFrame(text));
  }

  /** Writes the connection's waiting frames now (before closing it). */
  flushConnection(conn: HubConnection): void {
    this.coalescer.flushConnection(conn);
  }

  private writeAll(set: Set<HubConnection>, frame: Buffer, exclude: string): number {
    let written = 0;
    for (const conn of set) {
      if (conn.id === exclude) continue;
      if (this.coalescer.write(conn, frame)) written++;
    }
    return written;
  }

  private writeAllLossy(set: Set<HubConnection>, frame: Buffer, exclude: string): number {
    let written = 0;
    for (const conn of set) {
      if (conn.id === exclude) continue;
      if (this.coalescer.writeLossy(conn, frame)) written++;
    }
    return written;
  }

  private noteDelivery(written: number, event: HubEvent): void {
    if (written === 0) return;
    this.metrics.messagesOut.inc(written);
    this.metrics.notePublish(event.publishedAt);
  }
}

const frameOf = (text: string | null): Buffer | null => (text === null ? null : encodeTextFrame(text));
