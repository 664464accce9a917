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
  abstract consume(key: string, rule: RateLimitRule, points?: number): Promise<RateLimitResult>;
}

export interface WindowCounts {
  second: number;
  minute: number;
}

/** The decision from the counts already spent in the current windows; shared by both implementations. */
export function decide(rule: RateLimitRule, spent: WindowCounts, points: number, nowMs: number): RateLimitResult {
  const perSecond = rule.perSecond ?? Number.POSITIVE_INFINITY;
  const perMinute = rule.perMinute ?? Number.POSITIVE_INFINITY;
  const secondFull = spent.second + points > perSecond;
  const minuteFull = spent.minute + points > perMinute;
  const allowed = !secondFull && !minuteFull;
  const after = allowed ? { second: spent.second + points, minute: spent.minute + points } : spent;
  const limit = Number.isFinite(perMinute) ? perMinute : perSecond;
  const remaining = Math.max(0, Math.min(perSecond - after.second, perMinute - after.minute));
  let retryAfterSeconds = 0;
  if (minuteFull) retryAfterSeconds = Math.ceil((60_000 - (nowMs % 60_000)) / 1000);
  else if (secondFull) retryAfterSeconds = 1;
  return { allowed, limit, remaining: Number.isFinite(remaining) ? remaining : limit, retryAfterSeconds };
}
