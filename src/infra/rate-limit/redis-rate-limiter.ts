import type { Redis } from 'ioredis';
import { decide, RateLimiter, RateLimitResult, RateLimitRule } from './rate-limiter';

/**
 * Adds `points` to both windows only when neither would overflow, atomically. Returns the counts
 * spent before this call. KEYS: second window, minute window. ARGV: points, perSecond, perMinute.
 */
const CONSUME = `
local s = tonumber(redis.call('GET', KEYS[1]) or '0')
local m = tonumber(redis.call('GET', KEYS[2]) or '0')
local p = tonumber(ARGV[1])
if s + p <= tonumber(ARGV[2]) and m + p <= tonumber(ARGV[3]) then
  if redis.call('INCRBY', KEYS[1], p) == p then redis.call('PEXPIRE', KEYS[1], 2000) end
  if redis.call('INCRBY', KEYS[2], p) == p then redis.call('PEXPIRE', KEYS[2], 61000) end
end
return {s, m}
`;

/** The script as a client command: sent as EVALSHA (the text only when Redis does not have it yet). */
const COMMAND = 'relaybaseRateLimitConsume';
type WithConsume = Redis & { [COMMAND](second: string, minute: string, points: number, perSecond: number, perMinute: number): Promise<[number, number]> };

/** Fixed-window counters in Redis, shared by every instance. */
export class RedisRateLimiter extends RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    super();
    redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: CONSUME });
  }

  async consume(key: string, rule: RateLimitRule, points = 1): Promise<RateLimitResult> {
    const now = Date.now();
    const base = `${this.prefix}:rl:${rule.name}:${key}`;
    const [second, minute] = await (this.redis as WithConsume)[COMMAND](
      `${base}:s:${Math.floor(now / 1000)}`,
      `${base}:m:${Math.floor(now / 60_000)}`,
      points,
      rule.perSecond ?? 2 ** 52,
      rule.perMinute ?? 2 ** 52,
    );
    return decide(rule, { second, minute }, points, now);
  }
}
