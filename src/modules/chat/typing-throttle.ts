/**
 * Decides which typing indicators are relayed: a user's `isTyping: true` in a room at most once per
 * period (a keystroke stream becomes one event every few seconds), and `isTyping: false` only after
 * a relayed `true`, so that listeners see every start and stop and nothing in between.
 */
export class TypingThrottle {
  private readonly lastStart = new Map<string, number>();

  constructor(
    private readonly periodMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  /** Whether to relay this indicator of `key` (tenant, room and user) at `now`. */
  shouldRelay(key: string, isTyping: boolean, now: number): boolean {
    const last = this.lastStart.get(key);
    if (!isTyping) {
      if (last === undefined) return false;
      this.lastStart.delete(key);
      return true;
    }
    if (last !== undefined && now - last < this.periodMs) return false;
    if (this.lastStart.size >= this.maxEntries) this.sweep(now);
    this.lastStart.set(key, now);
    return true;
  }

  /** Forgets entries older than the period (a user who stopped without saying so). */
  private sweep(now: number): void {
    for (const [key, at] of this.lastStart) if (now - at >= this.periodMs) this.lastStart.delete(key);
    if (this.lastStart.size >= this.maxEntries) this.lastStart.clear();
  }
}
