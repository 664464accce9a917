import type { Redis } from 'ioredis';

/** The delay after the n-th consecutive failure: base * 2^(n-1) up to max, or a longer Retry-After. */
export function backoffDelay(failures: number, retryAfterMs: number | null, baseMs: number, maxMs: number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
  const retry = Math.ceil(retryAfterMs ?? 0);
  return Math.max(1, Math.min(Math.max(exponential, retry), Math.max(maxMs, retry)));
}

/**
 * The same rule as backoffDelay, atomically, so that failures on several instances count together.
 * KEYS: failures counter, backing-off marker. ARGV: base, max, Retry-After (0: none).
 * The marker's TTL is the time left, so no instance's clock matters; it is only ever extended. The
 * counter outlives the marker by `max`, so a failure soon after a backoff doubles the next one.
 */
const FAILED = `
local failures = redis.call('incr', KEYS[1])
local base, max, retry = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local exponential = math.min(max, base * 2 ^ math.min(failures - 1, 30))
local delay = math.max(1, math.floor(math.min(math.max(exponential, retry), math.max(max, retry))))
local left = redis.call('pttl', KEYS[2])
if left < delay then
  redis.call('set', KEYS[2], failures, 'PX', delay)
  left = delay
end
redis.call('pexpire', KEYS[1], delay + max)
return left
`;

/**
 * Per-provider backoff of auto mode: after a failure the provider is left alone for
 * base * 2^(failures-1) up to max, or for as long as the vendor's Retry-After asks if that is longer;
 * a success clears it. Provider keys are the deployment's, so a vendor refusing them refuses every
 * instance: with Redis the backoff is cluster-wide (keys under REDIS_KEY_PREFIX:
 * `P:llm:backoff:<provider>` while backing off, `P:llm:failures:<provider>` the consecutive failures);
 * without Redis this instance is the cluster.
 */
export class ProviderBackoff {
  private readonly local = new Map<string, { failures: number; until: number }>();

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly redis: Redis | null = null,
    private readonly prefix = '',
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds left before the provider may be called again (0: now). */
  async remainingMs(provider: string): Promise<number> {
    if (this.redis) return Math.max(0, await this.redis.pttl(this.marker(provider)));
    const s = this.local.get(provider);
    return s ? Math.max(0, s.until - this.now()) : 0;
  }

  /** Records a failure; returns the delay before the next attempt. */
  async failed(provider: string, retryAfterMs: number | null): Promise<number> {
    if (this.redis) {
      const retry = String(Math.max(0, Math.ceil(retryAfterMs ?? 0)));
      return Number(await this.redis.eval(FAILED, 2, this.counter(provider), this.marker(provider), String(this.baseMs), String(this.maxMs), retry));
    }
    const failures = (this.local.get(provider)?.failures ?? 0) + 1;
    const delay = backoffDelay(failures, retryAfterMs, this.baseMs, this.maxMs);
    this.local.set(provider, { failures, until: this.now() + delay });
    return delay;
  }

  async succeeded(provider: string): Promise<void> {
    if (this.redis) await this.redis.del(this.counter(provider), this.marker(provider));
    else this.local.delete(provider);
  }

  private marker(provider: string): string {
    return `${this.prefix}:llm:backoff:${provider}`;
  }

  private counter(provider: string): string {
    return `${this.prefix}:llm:failures:${provider}`;
  }
}
