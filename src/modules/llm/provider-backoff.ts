/**
 * Per-provider backoff of auto mode (per instance): after a failure the provider is left alone for
 * base * 2^(failures-1) up to max, or for as long as the vendor's Retry-After asks if that is longer;
 * a success clears it.
 */
export class ProviderBackoff {
  private readonly state = new Map<string, { failures: number; until: number }>();

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds left before the provider may be called again (0: now). */
  remainingMs(provider: string): number {
    const s = this.state.get(provider);
    return s ? Math.max(0, s.until - this.now()) : 0;
  }

  /** Records a failure; returns the delay before the next attempt. */
  failed(provider: string, retryAfterMs: number | null): number {
    const failures = (this.state.get(provider)?.failures ?? 0) + 1;
    const exponential = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(failures - 1, 30));
    const delay = Math.min(Math.max(exponential, retryAfterMs ?? 0), Math.max(this.maxMs, retryAfterMs ?? 0));
    this.state.set(provider, { failures, until: this.now() + delay });
    return delay;
  }

  succeeded(provider: string): void {
    this.state.delete(provider);
  }
}
