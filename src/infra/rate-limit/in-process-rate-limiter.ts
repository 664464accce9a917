import { decideCounts, RateLimiter, RateLimitResult, RateLimitRule } from './rate-limiter';

interface KeyCounters {
  second: number;
  secondCount: number;
  minute: number;
  minuteCount: number;
}

/** Fixed-window counters in memory, for a single instance (embedded mode). Decides at once. */
export class InProcessRateLimiter extends RateLimiter {
  /** Rule name → key → counters (no key string is built per request). */
  private readonly rules = new Map<string, Map<string, KeyCounters>>();
  private sweptAt = 0;

  consumeNow(key: string, rule: RateLimitRule, points = 1): RateLimitResult {
    const now = Date.now();
    if (now - this.sweptAt >= 60_000) this.sweep(now);
    let keys = this.rules.get(rule.name);
    if (!keys) this.rules.set(rule.name, (keys = new Map()));
    let c = keys.get(key);
    if (!c) keys.set(key, (c = { second: -1, secondCount: 0, minute: -1, minuteCount: 0 }));
    const second = Math.floor(now / 1000);
    const minute = Math.floor(now / 60_000);
    if (c.second !== second) {
      c.second = second;
      c.secondCount = 0;
    }
    if (c.minute !== minute) {
      c.minute = minute;
      c.minuteCount = 0;
    }
    const result = decideCounts(rule, c.secondCount, c.minuteCount, points, now);
    if (result.allowed) {
      c.secondCount += points;
      c.minuteCount += points;
    }
    return result;
  }

  /** Drops counters of past minutes once a minute, so idle keys do not accumulate. */
  private sweep(now: number): void {
    this.sweptAt = now;
    const minute = Math.floor(now / 60_000);
    for (const keys of this.rules.values()) {
      for (const [key, c] of keys) if (c.minute < minute) keys.delete(key);
    }
  }
}
