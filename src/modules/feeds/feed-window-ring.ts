/**
 * The newest `capacity` window entries gathered between two flushes, in a fixed ring: an append is
 * one array store (no growth, no splice), and older entries are overwritten, since only the newest
 * LLM_CONTEXT_LIMIT can survive the store's trim anyway.
 */
export class FeedWindowRing {
  private readonly entries: Array<string | undefined>;
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.entries = new Array<string | undefined>(capacity).fill(undefined);
  }

  get length(): number {
    return this.size;
  }

  push(entry: string): void {
    this.entries[this.next] = entry;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.size < this.capacity) this.size++;
  }

  /** The entries, oldest first; the ring is empty afterwards and holds none of them. */
  drain(): string[] {
    const out = new Array<string>(this.size);
    let i = (this.next - this.size + this.capacity) % this.capacity;
    for (let k = 0; k < this.size; k++) {
      out[k] = this.entries[i]!;
      this.entries[i] = undefined;
      i = i + 1 === this.capacity ? 0 : i + 1;
    }
    this.size = 0;
    this.next = 0;
    return out;
  }
}
