import type { HubConnection } from './hub-connection';
import { LossyBacklog } from './lossy-backlog';

const OPEN = 1;

/**
 * How long one flush may write before it yields to I/O (and lets the next requests in): bounds the
 * event-loop turn however many sockets have frames waiting, without changing any socket's order.
 */
export const FLUSH_SLICE_MS = 4;
/** performance.now() is read once per this many sockets (it costs about as much as a small write). */
const SLICE_CHECK_EVERY = 32;

/**
 * Per-tick write coalescing. A frame for a connection is appended to the connection's own list
 * (`conn.out`, no stream call, no allocation per frame); the first one in a turn queues the
 * connection, and one `setImmediate` writes every queued connection's frames in one `write`.
 * Frames are shared Buffers and a channel's subscribers usually hold the same list, so the list is
 * concatenated once and that one Buffer written to each of them: a publish to N subscribers costs N
 * array pushes, a flush one syscall per socket, and nothing on this path awaits.
 *
 * The flush writes in slices of FLUSH_SLICE_MS and yields to I/O between them: a connection keeps
 * its place in the queue and its frames their order (later frames are appended to its list until it
 * is written), so what is published while a flush is under way joins it instead of waiting for it.
 *
 * Slow consumers: after its write, a socket whose unsent bytes (`writableLength`) exceed
 * `maxBufferedBytes` is reported to `onSlowConsumer`, which terminates it. A client that does not
 * read can therefore pin at most about that many bytes (plus one turn's frames) of server memory.
 *
 * Frames written here leave after whatever `ws` itself writes in the same turn (pings, close
 * frames): code that closes a connection after sending it something calls `flushConnection` first.
 * Writing to the raw socket beside `ws`'s own sends is safe because the gateway disables
 * permessage-deflate (so ws's Sender writes synchronously, in call order, never queues).
 */
export class WriteCoalescer {
  /** Connections with frames waiting, in the order they got their first one; `head` is the next one. */
  private queue: HubConnection[] = [];
  private head = 0;
  private scheduled = false;
  private readonly flushBound = () => this.flush();
  /** The last frame list concatenated and its Buffer (subscribers of one channel share it). */
  private joinedFrames: Buffer[] | null = null;
  private joined: Buffer | null = null;

  constructor(
    private readonly maxBufferedBytes: number,
    private readonly onSlowConsumer: (conn: HubConnection) => void,
    /** Called after each flush slice (the metrics observe publish-to-send latency there). */
    private readonly afterFlush: () => void,
    /** Called when frames of a lossy channel were dropped for a connection (with how many). */
    private readonly onLossyDrop: (conn: HubConnection, dropped: number) => void = () => undefined,
    private readonly sliceMs = FLUSH_SLICE_MS,
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
    // What was queued before the backlog goes first; then the backlog, straight to the socket.
    this.flushConnection(conn);
    let frame: Buffer | undefined;
    while (conn.socket.writableLength < this.maxBufferedBytes / 2 && (frame = backlog.shift())) conn.socket.write(frame);
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
    const out = conn.out;
    if (out !== null) {
      out.push(frame);
      return true;
    }
    conn.out = [frame];
    this.queue.push(conn);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushBound);
    }
    return true;
  }

  /**
   * A protocol reply: into the socket at once when nothing of the connection's is waiting and the
   * socket is corked (the gateway corks it across the upgrade, so `101` and the greeting leave in
   * one write); otherwise queued like any frame, behind what is already waiting.
   */
  reply(conn: HubConnection, frame: Buffer): boolean {
    if (conn.out === null && conn.socket.writableCorked > 0 && !conn.closed && conn.ws.readyState === OPEN) {
      conn.socket.write(frame);
      return true;
    }
    return this.write(conn, frame);
  }

  /**
   * Whether frames wait for a flush that is already scheduled. A `setImmediate` queued now runs
   * after that flush's next slice, so after those frames (up to FLUSH_SLICE_MS of them) are written.
   */
  get flushPending(): boolean {
    return this.scheduled;
  }

  /** Writes what is waiting for this connection now (before a close, which ws writes at once). */
  flushConnection(conn: HubConnection): void {
    this.writeOut(conn);
  }

  /** Writes the queued connections' frames, yielding to I/O every `sliceMs`. */
  flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    const deadline = performance.now() + this.sliceMs;
    let i = this.head;
    while (i < queue.length) {
      this.writeOut(queue[i++]);
      if (i % SLICE_CHECK_EVERY === 0 && i < queue.length && performance.now() > deadline) break;
    }
    if (i >= queue.length) {
      queue.length = 0;
      this.head = 0;
      this.joinedFrames = null;
      this.joined = null;
    } else {
      // Under sustained load the queue may never empty: drop the written part now and then.
      if (i > 4096 && i * 2 > queue.length) {
        queue.splice(0, i);
        i = 0;
      }
      this.head = i;
      this.scheduled = true;
      setImmediate(this.flushBound);
    }
    this.afterFlush();
  }

  private writeOut(conn: HubConnection): void {
    const out = conn.out;
    if (out === null) return;
    conn.out = null;
    const socket = conn.socket;
    if (socket.destroyed || conn.ws.readyState !== OPEN) return;
    socket.write(out.length === 1 ? out[0] : this.concat(out));
    if (socket.writableLength > this.maxBufferedBytes) this.onSlowConsumer(conn);
  }

  /** The frames as one Buffer, shared with the previous connection when its list was the same. */
  private concat(out: Buffer[]): Buffer {
    const last = this.joinedFrames;
    if (last !== null && last.length === out.length) {
      let k = 0;
      while (k < out.length && out[k] === last[k]) k++;
      if (k === out.length) return this.joined!;
    }
    this.joinedFrames = out;
    return (this.joined = Buffer.concat(out));
  }
}
