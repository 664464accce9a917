import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../../src/infra/redis/redis.module';
import { ProviderBackoff } from '../../src/modules/llm/provider-backoff';
import { hasRedis } from '../support/test-app';
import { isolatedPrefix, RUN_ENV } from '../support/test-services';

// Instances of one cluster share the provider backoff through Redis; CI always has it.
(hasRedis() ? describe : describe.skip)('provider backoff shared through Redis', () => {
  let one: Redis;
  let two: Redis;

  beforeAll(() => {
    one = createRedisClient(process.env[RUN_ENV.redisUrl]!, 'llm-backoff-test-1');
    two = createRedisClient(process.env[RUN_ENV.redisUrl]!, 'llm-backoff-test-2');
  });
  afterAll(async () => {
    await Promise.all([one.quit(), two.quit()]);
  });

  /** Two instances' backoffs on the same (fresh) cluster prefix. */
  const cluster = (baseMs: number, maxMs: number) => {
    const prefix = isolatedPrefix(`llm-backoff-${randomBytes(4).toString('hex')}`);
    return [new ProviderBackoff(baseMs, maxMs, one, prefix), new ProviderBackoff(baseMs, maxMs, two, prefix)] as const;
  };

  it("a failure on one instance backs the provider off on the other, doubling with the cluster's consecutive failures", async () => {
    const [a, b] = cluster(1_000, 8_000);
    expect(await b.remainingMs('openai')).toBe(0);
    expect(await a.failed('openai', null)).toBe(1_000);
    expect(await b.remainingMs('openai')).toBeGreaterThan(900);
    expect(await b.remainingMs('openai')).toBeLessThanOrEqual(1_000);
    expect(await b.remainingMs('anthropic')).toBe(0);
    // Failures on either instance count together.
    expect(await b.failed('openai', null)).toBe(2_000);
    expect(await a.failed('openai', null)).toBe(4_000);
    expect(await a.remainingMs('openai')).toBeGreaterThan(3_900);
    // A success anywhere clears it everywhere, and the count starts again.
    await b.succeeded('openai');
    expect(await a.remainingMs('openai')).toBe(0);
    expect(await a.failed('openai', null)).toBe(1_000);
  });

  it("honours a longer Retry-After, and one instance's shorter delay never cuts another's backoff short", async () => {
    const [a, b] = cluster(100, 1_000);
    expect(await a.failed('gemini', 7_000)).toBe(7_000);
    expect(await b.remainingMs('gemini')).toBeGreaterThan(6_900);
    // The second failure alone would wait 200 ms; the provider still waits out the 7 s.
    expect(await b.failed('gemini', null)).toBeGreaterThan(6_900);
    expect(await a.remainingMs('gemini')).toBeGreaterThan(6_900);
  });

  it('expires on its own: once the delay has passed the provider may be called from any instance', async () => {
    const [a, b] = cluster(150, 150);
    await a.failed('mistral', null);
    expect(await b.remainingMs('mistral')).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 250));
    expect(await b.remainingMs('mistral')).toBe(0);
    expect(await a.remainingMs('mistral')).toBe(0);
  });

  it('another cluster (another REDIS_KEY_PREFIX) is not affected', async () => {
    const [a] = cluster(1_000, 1_000);
    const [elsewhere] = cluster(1_000, 1_000);
    await a.failed('grok', null);
    expect(await elsewhere.remainingMs('grok')).toBe(0);
  });
});
