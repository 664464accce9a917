/**
 * Inbound messages per connection per second (a fixed one-second window: cheap, and precise enough
 * for abuse control). Over the limit, messages are dropped; the client is told once per window.
 */
export class InboundRateLimiter {
  private windowStart = 0;
  private count = 0;
  private warned = false;

  constructor(private readonly perSecond: number) {}

  allow(now: number): boolean {
    if (now - this.windowStart >= 1_000) {
      this.windowStart = now;
      this.count = 0;
      this.warned = false;
    }
    return ++this.count <= this.perSecond;
  }

  /** True the first time it is asked in a window where messages were dropped. */
  shouldWarn(): boolean {
    if (this.warned) return false;
    this.warned = true;
    return true;
  }
}
