import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createAccount, createApiKey, createTenant } from '../factories/account.factory';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { queueSchema } from '../../src/infra/queue/queue-schema';
import { WebhookDispatcher } from '../../src/modules/webhooks/webhook.dispatcher';
import { isolatedPrefix } from '../support/test-services';
import { Receiver } from '../webhooks/support/receiver';
import { createEndpoint, FAST_WEBHOOKS, listDeliveries } from '../webhooks/support/webhook-fixtures';

/**
 * Embedded mode as `npm start` runs it with nothing configured: PGlite under DATA_DIR, migrations
 * at start-up, BullMQ on its Postgres backend, no Redis, generated secrets kept across restarts.
 */
describe('embedded mode (no DATABASE_URL, no REDIS_URL)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relaybase-embedded-'));
  const embedded = {
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    JWT_SECRET: undefined,
    ENCRYPTION_KEY: undefined,
    DATA_DIR: dataDir,
    // A separate install: its own key prefix, so its job workers never meet other suites' jobs.
    REDIS_KEY_PREFIX: isolatedPrefix('embedded'),
    MIGRATIONS_RUN_ON_START: 'true',
    MAINTENANCE_INTERVAL_SECONDS: '1',
    ...FAST_WEBHOOKS,
  };
  let t: TestApp | undefined;

  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the whole account flow, the maintenance job, and keeps data and tokens across a restart', async () => {
    t = await startTestApp(embedded);
    expect(t.database.embedded).toBe(true);
    expect((await t.http.get('/health/ready')).body).toMatchObject({ status: 'ok', checks: { database: 'ok' } });

    const account = await createAccount(t.http);
    const tenant = await createTenant(t.http, account);
    const { key } = await createApiKey(t.http, account, { scopes: ['*'], tenantId: tenant.id });
    expect((await t.http.get('/api/auth/me', { apiKey: key })).body.user._id).toBe(account.id);

    const db = t.app.get(DataSource);
    // The buffer pool is EMBEDDED_SHARED_BUFFERS_MB (32 MB unless set), not Postgres's 128 MB.
    expect((await db.query('SHOW shared_buffers'))[0].shared_buffers).toBe('32MB');
    await db.query(`INSERT INTO login_throttle (key, failures, expires_at) VALUES ('email:old@example.test', 2, now() - interval '1 minute')`);
    await waitFor(async () => (await db.query(`SELECT count(*)::int AS n FROM login_throttle`))[0].n === 0, 20_000);
    // The jobs live in the embedded database itself, in the schema named after the key prefix.
    const schema = queueSchema(embedded.REDIS_KEY_PREFIX);
    expect((await db.query(`SELECT count(*)::int AS n FROM "${schema}".scheduler`))[0].n).toBeGreaterThan(0);

    // A webhook delivery goes through the same BullMQ queue, retried after a failure.
    const receiver = await Receiver.start();
    try {
      const endpoint = await createEndpoint(t.http, account, tenant.id, { url: receiver.url(), events: ['notification_created'] });
      receiver.respond = (_r, i) => (i === 0 ? 503 : 200);
      await t.app.get(WebhookDispatcher).emit(tenant.id, { name: 'notification_created', userId: 'u1', data: { id: 'n1' } });
      await waitFor(async () => (await listDeliveries(t!.http, account, tenant.id, endpoint.id))[0]?.status === 'succeeded', 20_000);
      expect((await listDeliveries(t.http, account, tenant.id, endpoint.id))[0]).toMatchObject({ attempts: 2, lastStatusCode: 200 });
      expect((await db.query(`SELECT count(*)::int AS n FROM "${schema}".job WHERE queue = 'webhooks'`))[0].n).toBeGreaterThan(0);
    } finally {
      await receiver.close();
    }

    await t.close();
    t = await startTestApp({ ...embedded, EMBEDDED_SHARED_BUFFERS_MB: '48' });
    expect((await t.app.get(DataSource).query('SHOW shared_buffers'))[0].shared_buffers).toBe('48MB');
    expect((await t.http.get('/api/auth/me', { token: account.token })).body.user._id).toBe(account.id);
    expect((await t.http.get('/api/auth/me', { apiKey: key })).status).toBe(200);
    const again = await t.http.get(`/api/tenants/${tenant.id}`, { token: account.token });
    expect(again.body.data.secret).toBe(tenant.secret);
  });
});
