import type { HubConnection } from './hub-connection';
import { LossyBacklog } from './lossy-backlog';

const OPEN = 1;

/**
 * Per-tick write coalescing. The first frame for a connection in an event-loop turn corks its
 * socket; every frame of that turn is appended to the cork; one `setImmediate` uncorks them all, so
 * each socket gets one writev per turn however many events were published. Frames are shared
 * Buffers: nothing is copied or serialised per recipient, and nothing on this path awaits.
 *
 * Slow consumers: after the flush, a socket whose unsent bytes (`writableLength`) exceed
 * `maxBufferedBytes` is reported to `onSlowConsumer`, which terminates it. A client that does not
 * read can therefore pin at most about that many bytes (plus one turn's frames) of server memory.
 *
 * Writing to the raw socket is safe beside `ws`'s own sends because the gateway disables
 * permessage-deflate (so ws's Sender writes synchronously, in call order, never queues) and
 * because cork/uncork nest.
 */
export class WriteCoalescer {
  private pending: HubConnection[] = [];
  private spare: HubConnection[] = [];
  private scheduled = false;
  private readonly flushBound = () => this.flush();

  constructor(
    private readonly maxBufferedBytes: number,
    private readonly onSlowConsumer: (conn: HubConnection) => void,
    /** Called after each flush (the metrics observe publish-to-send latency there). */
    private readonly afterFlush: () => void,
    /** Called when frames of a lossy channel were dropped for a connection (with how many). */
    private readonly onLossyDrop: (conn: HubConnection, dropped: number) => void = () => undefined,
  ) {}

  /**
   * A frame of a lossy channel (feeds): written like any other while the socket keeps up; once its
   * unsent bytes pass half of maxBufferedBytes, frames wait in a backlog of a quarter of it that
   * drops the oldest, and are written as the socket drains. So a slow subscriber stays connected,
   * gets the newest data when it catches up, and holds bounded memory.
   */
  writeLossy(conn: HubConnection, frame: Buffer): boolean {
    if (conn.closed || conn.ws.readyState !== OPEN) return false;
    if (conn.lossy === null && conn.socket.writableLength < this.maxBufferedBytes / 2) return this.write(conn, frame);
    const backlog = (conn.lossy ??= new LossyBacklog(this.maxBufferedBytes / 4));
    const dropped = backlog.push(frame);
    if (dropped > 0) this.onLossyDrop(conn, dropped);
    if (!backlog.waiting) {
      backlog.waiting = true;
      conn.socket.once('drain', () => this.drainLossy(conn));
    }
    return true;
  }

  private drainLossy(conn: HubConnection): void {
    const backlog = conn.lossy;
    if (!backlog || conn.closed || conn.socket.destroyed) return;
    backlog.waiting = false;
    let frame: Buffer | undefined;
    while (conn.socket.writableLength < this.maxBufferedBytes / 2 && (frame = backlog.shift())) this.write(conn, frame);
    if (backlog.size === 0) {
      conn.lossy = null;
      return;
    }
    backlog.waiting = true;
    conn.socket.once('drain', () => this.drainLossy(conn));
  }

  /** Queues a ready frame for the connection; false when the connection cannot take it. */
  write(conn: HubConnection, frame: Buffer): boolean {
    if (conn.closed || conn.ws.readyState !== OPEN) return false;
    const socket = conn.socket;
    if (!conn.corked) {
      conn.corked = true;
      socket.cork();
      this.pending.push(conn);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flushBound);
      }
    }
    socket.write(frame);
    return true;
  }

  /** Uncorks every socket written this turn. */
  flush(): void {
    this.scheduled = false;
    const list = this.pending;
    // Swap two arrays instead of allocating a new one per turn.
    this.pending = this.spare;
    this.spare = list;
    for (let i = 0; i < list.length; i++) {
      const conn = list[i];
      conn.corked = false;
      const socket = conn.socket;
      if (socket.destroyed) continue;
      socket.uncork();
      if (socket.writableLength > this.maxBufferedBytes) this.onSlowConsumer(conn);
    }
    list.length = 0;
    this.afterFlush();
  }
}
