/** A limit counted in fixed windows: at most `perSecond` in any one second and `perMinute` in any one minute. */
export interface RateLimitRule {
  /** Names the counter family, e.g. `pusher-trigger`. */
  readonly name: string;
  readonly perSecond?: number;
  readonly perMinute?: number;
}

export interface RateLimitResult {
  allowed: boolean;
  /** The binding limit: the per-minute one where there is one, otherwise the per-second one. */
  limit: number;
  /** Points left before the first of the two windows is full. */
  remaining: number;
  /** Seconds until the full window ends (0 when allowed). */
  retryAfterSeconds: number;
}

/**
 * Counts requests against a rule, per key (a tenant id, usually). Two implementations: Redis (counted
 * across instances) and in-process (embedded mode).
 */
export abstract class RateLimiter {
  /** The decision, without a promise when it is known at once (see the implementations for when). */
  abstract consumeNow(key: string, rule: RateLimitRule, points?: number): RateLimitResult | Promise<RateLimitResult>;

  consume(key: string, rule: RateLimitRule, points = 1): Promise<RateLimitResult> {
    const result = this.consumeNow(key, rule, points);
    return result instanceof Promise ? result : Promise.resolve(result);
  }
}

export interface WindowCounts {
  second: number;
  minute: number;
}

/** The decision from the counts already spent in the current windows; shared by both implementations. */
export function decide(rule: RateLimitRule, spent: WindowCounts, points: number, nowMs: number): RateLimitResult {
  return decideCounts(rule, spent.second, spent.minute, points, nowMs);
}

/** decide() on the two counts as numbers. */
export function decideCounts(rule: RateLimitRule, spentSecond: number, spentMinute: number, points: number, nowMs: number): RateLimitResult {
  const perSecond = rule.perSecond ?? Number.POSITIVE_INFINITY;
  const perMinute = rule.perMinute ?? Number.POSITIVE_INFINITY;
  const secondFull = spentSecond + points > perSecond;
  const minuteFull = spentMinute + points > perMinute;
  const allowed = !secondFull && !minuteFull;
  const afterSecond = allowed ? spentSecond + points : spentSecond;
  const afterMinute = allowed ? spentMinute + points : spentMinute;
  const limit = Number.isFinite(perMinute) ? perMinute : perSecond;
  const remaining = Math.max(0, Math.min(perSecond - afterSecond, perMinute - afterMinute));
  let retryAfterSeconds = 0;
  if (minuteFull) retryAfterSeconds = Math.ceil((60_000 - (nowMs % 60_000)) / 1000);
  else if (secondFull) retryAfterSeconds = 1;
  return { allowed, limit, remaining: Number.isFinite(remaining) ? remaining : limit, retryAfterSeconds };
}
