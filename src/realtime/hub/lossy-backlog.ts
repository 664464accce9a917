/**
 * Frames of lossy channels (feeds) waiting for a backlogged socket: bounded in bytes, the oldest
 * dropped first, so a slow subscriber gets the newest data once it catches up instead of being
 * disconnected or growing server memory.
 */
export class LossyBacklog {
  private readonly frames: Buffer[] = [];
  private head = 0;
  bytes = 0;
  dropped = 0;
  /** A 'drain' listener is waiting to flush this backlog. */
  waiting = false;

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.frames.length - this.head;
  }

  /** Adds a frame; drops the oldest ones past the byte bound and returns how many were dropped. */
  push(frame: Buffer): number {
    this.frames.push(frame);
    this.bytes += frame.length;
    let dropped = 0;
    while (this.bytes > this.maxBytes && this.size > 1) {
      this.bytes -= this.frames[this.head++].length;
      dropped++;
    }
    if (this.head > 1024 && this.head * 2 > this.frames.length) {
      this.frames.splice(0, this.head);
      this.head = 0;
    }
    this.dropped += dropped;
    return dropped;
  }

  shift(): Buffer | undefined {
    if (this.size === 0) return undefined;
    const frame = this.frames[this.head++];
    this.bytes -= frame.length;
    if (this.size === 0) {
      this.frames.length = 0;
      this.head = 0;
    }
    return frame;
  }
}
