import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { queueSchema } from '../../src/infra/queue/queue-schema';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { isolatedPrefix, RUN_ENV } from '../support/test-services';
import { waitFor } from '../support/wait-for';

/**
 * The periodic maintenance job runs on each job backend: Redis when REDIS_URL is set, BullMQ's
 * Postgres backend (in the application's database) when it is not.
 */
describe.each([
  { backend: 'Postgres', redis: false },
  { backend: 'Redis', redis: true },
])('maintenance job (BullMQ on $backend, full mode)', ({ backend, redis }) => {
  const prefix = isolatedPrefix(`maintenance-${backend.toLowerCase()}`);
  const run = redis && !hasRedis() ? it.skip : it;
  let t: TestApp;
  beforeAll(async () => {
    if (redis && !hasRedis()) return;
    // Its own key prefix: apps of other suites (on other databases) must not take its jobs.
    t = await startTestApp({ MAINTENANCE_INTERVAL_SECONDS: '1', REDIS_KEY_PREFIX: prefix, ...(redis ? {} : { REDIS_URL: undefined }) });
  });
  afterAll(() => t?.close());

  run('purges expired login-throttle entries on its schedule and keeps live ones', async () => {
    const db = t.app.get(DataSource);
    const tag = Math.random().toString(36).slice(2);
    await db.query(
      `INSERT INTO login_throttle (key, failures, locked_until, expires_at) VALUES
        ($1, 3, NULL, now() - interval '1 minute'),
        ($2, 5, now() - interval '1 second', now() - interval '1 second'),
        ($3, 1, NULL, now() + interval '1 hour')`,
      [`email:expired-${tag}`, `email:unlocked-${tag}`, `email:live-${tag}`],
    );
    const left = async () =>
      (await db.query(`SELECT key FROM login_throttle WHERE key LIKE $1 ORDER BY key`, [`%-${tag}`])).map((r: { key: string }) => r.key);
    await waitFor(async () => (await left()).length === 1, 15_000);
    expect(await left()).toEqual([`email:live-${tag}`]);
  });

  run(`keeps its schedule and jobs on ${backend} only`, async () => {
    const db = t.app.get(DataSource);
    const schema = queueSchema(prefix);
    const [{ exists }] = await db.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [`"${schema}".scheduler`]);
    expect(exists).toBe(!redis);
    if (!redis) {
      const schedulers = await db.query(`SELECT count(*)::int AS n FROM "${schema}".scheduler`);
      expect(schedulers[0].n).toBeGreaterThan(0);
      await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM "${schema}".job`))[0].n > 0, 10_000);
    }
    const url = process.env[RUN_ENV.redisUrl];
    if (!url) return;
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      const keys = await client.keys(`${prefix}:bull:*`);
      expect(keys.length > 0).toBe(redis);
    } finally {
      client.disconnect();
    }
  });
});
