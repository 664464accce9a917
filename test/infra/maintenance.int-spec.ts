import { DataSource } from 'typeorm';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { isolatedPrefix } from '../webhooks/support/webhook-fixtures';

describe('maintenance job (BullMQ, full mode)', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Its own key prefix: apps of other suites (on other databases) must not take its jobs.
    t = await startTestApp({ MAINTENANCE_INTERVAL_SECONDS: '1', REDIS_KEY_PREFIX: isolatedPrefix('maintenance') });
  });
  afterAll(() => t.close());

  it('purges expired login-throttle entries on its schedule and keeps live ones', async () => {
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
});
