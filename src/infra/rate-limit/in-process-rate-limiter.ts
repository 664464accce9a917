import { decide, RateLimiter, RateLimitResult, RateLimitRule } from './rate-limiter';

interface Counter {
  window: number;
  count: number;
}

/** Fixed-window counters in memory, for a single instance (embedded mode). */
export class InProcessRateLimiter extends RateLimiter {
  private readonly counters = new Map<string, Counter>();
  private sweptAt = 0;

  consume(key: string, rule: RateLimitRule, points = 1): Promise<RateLimitResult> {
    const now = Date.now();
    this.sweep(now);
    const secondKey = `${rule.name}\n${key}\ns`;
    const minuteKey = `${rule.name}\n${key}\nm`;
    const second = this.read(secondKey, Math.floor(now / 1000));
    const minute = this.read(minuteKey, Math.floor(now / 60_000));
    const result = decide(rule, { second: second.count, minute: minute.count }, points, now);
    if (result.allowed) {
      second.count += points;
      minute.count += points;
    }
    return Promise.resolve(result);
  }

  private read(key: string, window: number): Counter {
    let counter = this.counters.get(key);
    if (!counter || counter.window !== window) {
      counter = { window, count: 0 };
      this.counters.set(key, counter);
    }
    return counter;
  }

  /** Drops counters of past minutes once a minute, so idle keys do not accumulate. */
  private sweep(now: number): void {
    if (now - this.sweptAt < 60_000) return;
    this.sweptAt = now;
    const minute = Math.floor(now / 60_000);
    const second = Math.floor(now / 1000);
    for (const [key, c] of this.counters) {
      if (key.endsWith('\nm') ? c.window < minute : c.window < second) this.counters.delete(key);
    }
  }
}
