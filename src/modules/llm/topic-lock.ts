import type { Redis } from 'ioredis';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * "One analysis per topic at a time" across the cluster: a Redis key set with NX and a TTL (longer
 * than any provider call), released only by its holder; without Redis this instance is the cluster.
 */
export class TopicLock {
  private readonly local = new Set<string>();

  constructor(
    private readonly redis: Redis | null,
    private readonly prefix: string,
  ) {}

  async acquire(key: string, token: string, ttlMs: number): Promise<boolean> {
    if (!this.redis) {
      if (this.local.has(key)) return false;
      this.local.add(key);
      return true;
    }
    return (await this.redis.set(`${this.prefix}:llm:lock:${key}`, token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async release(key: string, token: string): Promise<void> {
    if (!this.redis) {
      this.local.delete(key);
      return;
    }
    await this.redis.eval(RELEASE, 1, `${this.prefix}:llm:lock:${key}`, token);
  }
}
