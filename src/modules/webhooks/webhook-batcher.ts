/**
 * Gathers items per key and hands them over in groups: when `maxItems` are waiting, or `windowMs`
 * after the first item of the group arrived, whichever comes first.
 */
export class WebhookBatcher<T> {
  private readonly groups = new Map<string, { items: T[]; timer: NodeJS.Timeout }>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly windowMs: number,
    private readonly maxItems: number,
    private readonly flush: (key: string, items: T[]) => Promise<void>,
  ) {}

  add(key: string, item: T): void {
    let group = this.groups.get(key);
    if (!group) {
      group = { items: [], timer: setTimeout(() => this.release(key), this.windowMs) };
      this.groups.set(key, group);
    }
    group.items.push(item);
    if (group.items.length >= this.maxItems) this.release(key);
  }

  /** Hands over everything waiting now and waits for the hand-overs to finish (shutdown). */
  async flushAll(): Promise<void> {
    for (const key of [...this.groups.keys()]) this.release(key);
    await Promise.all([...this.inFlight]);
  }

  private release(key: string): void {
    const group = this.groups.get(key);
    if (!group) return;
    this.groups.delete(key);
    clearTimeout(group.timer);
    const p: Promise<void> = this.flush(key, group.items)
      .catch(() => undefined) // the flush callback reports its own errors
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }
}
