import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../../src/infra/redis/redis.module';
import { LOCAL_SHARE, RedisRateLimiter, SYNC_INTERVAL_MS } from '../../src/infra/rate-limit/redis-rate-limiter';
import type { RateLimitResult, RateLimitRule } from '../../src/infra/rate-limit/rate-limiter';
import { hasRedis } from '../support/test-app';
import { RUN_ENV } from '../support/test-services';

/** Waits until at least `ms` remain in the current minute, so that a test's points fall into one minute window. */
async function startOfRoomyMinute(ms: number): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < ms) await new Promise((r) => setTimeout(r, left + 20));
}

const settled = () => new Promise((r) => setTimeout(r, SYNC_INTERVAL_MS * 10));

// Two limiters, each with its own Redis connection and counts: two instances sharing Redis.
(hasRedis() ? describe : describe.skip)('RedisRateLimiter across instances', () => {
  let clients: Redis[];
  let a: RedisRateLimiter;
  let b: RedisRateLimiter;
  const prefix = `rbtest-rl-${randomUUID()}`;

  beforeAll(() => {
    clients = [0, 1].map(() => createRedisClient(process.env[RUN_ENV.redisUrl]!, 'rate-limit-test'));
    [a, b] = clients.map((c) => new RedisRateLimiter(c, prefix));
  });
  afterAll(async () => {
    a.onModuleDestroy();
    b.onModuleDestroy();
    const keys = await clients[0].keys(`${prefix}:*`);
    if (keys.length) await clients[0].del(...keys);
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('counts a limit under 100 exactly in Redis: together the instances grant the limit and no more', async () => {
    const rule: RateLimitRule = { name: 'small', perMinute: 4 };
    await startOfRoomyMinute(5_000);
    const results = await Promise.all([a, b, a, b, a, b].map((l) => l.consume('tenant', rule)));
    expect(results.filter((r) => r.allowed)).toHaveLength(4);
    const refused = results.filter((r) => !r.allowed);
    expect(refused).toHaveLength(2);
    for (const r of refused) expect(r).toMatchObject({ limit: 4, remaining: 0 });
    expect(refused[0].retryAfterSeconds).toBeGreaterThan(0);
  });

  it('answers far from the limit without waiting for Redis, and adds those points to Redis within the sync interval', async () => {
    const rule: RateLimitRule = { name: 'far', perMinute: 10_000 };
    await startOfRoomyMinute(5_000);
    // The first request of a window asks Redis (nothing is known of the window yet).
    expect(a.consumeNow('tenant', rule)).toBeInstanceOf(Promise);
    await a.consume('tenant', rule);
    const answers = Array.from({ length: 50 }, () => a.consumeNow('tenant', rule));
    expect(answers.some((r) => r instanceof Promise)).toBe(false);
    expect((answers[49] as RateLimitResult).remaining).toBe(10_000 - 52);
    await settled();
    const [key] = await clients[0].keys(`${prefix}:rl:far:tenant:m:*`);
    expect(Number(await clients[0].get(key))).toBe(52);
    // The other instance learns the count from Redis and continues from it.
    await b.consume('tenant', rule);
    expect((await b.consume('tenant', rule)).remaining).toBe(10_000 - 54);
  });

  it('refuses on both instances once their shared count reaches the limit, over it by at most one share per other instance', async () => {
    const limit = 1_000;
    const share = Math.floor(limit * LOCAL_SHARE);
    const rule: RateLimitRule = { name: 'shared', perSecond: 1_000_000, perMinute: limit };
    await startOfRoomyMinute(15_000);
    const results: RateLimitResult[] = [];
    // Bursts of concurrent requests alternating between the instances, with the syncs running in between.
    for (let burst = 0; burst < 60; burst++) {
      results.push(...(await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).consume('tenant', rule)))));
      if (burst % 5 === 0) await new Promise((r) => setTimeout(r, SYNC_INTERVAL_MS));
    }
    const granted = results.filter((r) => r.allowed).length;
    expect(granted).toBeGreaterThanOrEqual(limit);
    expect(granted).toBeLessThanOrEqual(limit + share);
    await settled();
    const [key] = await clients[0].keys(`${prefix}:rl:shared:tenant:m:*`);
    expect(Number(await clients[0].get(key))).toBe(granted);
    for (const l of [a, b]) {
      const r = await l.consume('tenant', rule);
      expect(r).toMatchObject({ allowed: false, limit, remaining: 0 });
      expect(r.retryAfterSeconds).toBeGreaterThan(0);
    }
    // Headers stay meaningful: every grant reports the limit, and what remains never rises above what the instance saw before.
    for (const r of results) expect(r.limit).toBe(limit);
    const remainingOfGrants = results.filter((r) => r.allowed).map((r) => r.remaining);
    expect(Math.min(...remainingOfGrants)).toBeLessThanOrEqual(share);
    expect(Math.max(...remainingOfGrants)).toBeLessThan(limit);
  });

  it('is exact on one instance: grants locally up to the last share, then decides in Redis', async () => {
    const rule: RateLimitRule = { name: 'single', perMinute: 500 };
    await startOfRoomyMinute(5_000);
    let granted = 0;
    let last: RateLimitResult | undefined;
    for (let i = 0; i < 600; i++) {
      last = await a.consume('tenant', rule);
      if (last.allowed) granted++;
    }
    expect(granted).toBe(500);
    expect(last).toMatchObject({ allowed: false, limit: 500, remaining: 0 });
  });

  it('keeps keys apart', async () => {
    const rule: RateLimitRule = { name: 'apart', perMinute: 2 };
    await startOfRoomyMinute(5_000);
    expect((await a.consume('t1', rule)).allowed).toBe(true);
    expect((await b.consume('t1', rule)).allowed).toBe(true);
    expect((await a.consume('t1', rule)).allowed).toBe(false);
    expect((await b.consume('t2', rule)).allowed).toBe(true);
  });
});
