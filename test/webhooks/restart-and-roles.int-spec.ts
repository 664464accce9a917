import { DataSource } from 'typeorm';
import { createApp, RelaybaseApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';
import { WebhookDispatcher } from '../../src/modules/webhooks/webhook.dispatcher';
import { createAccount, createTenant } from '../factories/account.factory';
import { hasRedis, startTestApp, TestApp, testEnv } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { Receiver } from './support/receiver';
import { createEndpoint, FAST_WEBHOOKS, isolatedPrefix, listDeliveries } from './support/webhook-fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A ROLE=worker process as `npm run start:worker` runs it: every module initialised, no HTTP listener. */
async function startWorker(env: Record<string, string>): Promise<RelaybaseApp> {
  const relaybase = await createApp(loadConfig(testEnv({ ...env, ROLE: 'worker' })));
  await relaybase.app.init();
  return relaybase;
}

// These run two processes' worth of apps on one queue, which needs Redis (full mode).
(hasRedis() ? describe : describe.skip)('webhook deliveries across restarts and process roles (full mode)', () => {
  const running: { close(): Promise<void> }[] = [];
  let receiver: Receiver;

  beforeEach(async () => {
    receiver = await Receiver.start();
  });
  afterEach(async () => {
    for (const app of running.splice(0)) await app.close();
    await receiver.close();
  });

  async function track<T extends { close(): Promise<void> }>(app: Promise<T>): Promise<T> {
    const started = await app;
    running.push(started);
    return started;
  }

  it('loses nothing when the app restarts while a retry is pending, and the receiver gets exactly one success', async () => {
    const env = { ...FAST_WEBHOOKS, WEBHOOK_RETRY_BASE_DELAY_MS: '2500', WEBHOOK_RETRY_MAX_DELAY_MS: '2500', WEBHOOK_RETRY_WINDOW_MS: '60000', REDIS_KEY_PREFIX: isolatedPrefix('wh-restart') };
    const first = await startTestApp(env);
    const account = await createAccount(first.http);
    const tenant = await createTenant(first.http, account);
    const endpoint = await createEndpoint(first.http, account, tenant.id, { url: receiver.url(), events: ['message_created'], format: 'native' });
    receiver.respond = (_r, i) => (i === 0 ? 500 : 200);

    await first.app.get(WebhookDispatcher).emit(tenant.id, { name: 'message_created', channel: 'room-1', data: { id: 'm1' } });
    await waitFor(async () => (await listDeliveries(first.http, account, tenant.id, endpoint.id))[0]?.status === 'failed', 5_000);
    const [pending] = await listDeliveries(first.http, account, tenant.id, endpoint.id);
    expect(pending).toMatchObject({ attempts: 1, lastStatusCode: 500, nextAttemptAt: expect.any(String) });
    await first.close();
    expect(receiver.requests).toHaveLength(1);

    const second = await track(startTestApp(env));
    await waitFor(async () => (await listDeliveries(second.http, account, tenant.id, endpoint.id))[0]?.status === 'succeeded', 10_000);
    await sleep(1_000);
    const log = await listDeliveries(second.http, account, tenant.id, endpoint.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ id: pending.id, status: 'succeeded', attempts: 2, lastStatusCode: 200 });
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests.map((r) => r.headers['x-relaybase-delivery'])).toEqual([pending.id, pending.id]);
    // The retry came when it was due, not at once on restart.
    expect(receiver.requests[1].at - receiver.requests[0].at).toBeGreaterThanOrEqual(2_000);
  });

  it('ROLE=api only enqueues; a ROLE=worker process, which serves no HTTP, delivers', async () => {
    const env = { ...FAST_WEBHOOKS, REDIS_KEY_PREFIX: isolatedPrefix('wh-roles') };
    const api = await track(startTestApp({ ...env, ROLE: 'api' }));
    const account = await createAccount(api.http);
    const tenant = await createTenant(api.http, account);
    const endpoint = await createEndpoint(api.http, account, tenant.id, { url: receiver.url(), events: ['connection_established'] });
    await api.app.get(WebhookDispatcher).emit(tenant.id, { name: 'connection_established', socketId: '1.1' });
    await sleep(1_000);
    expect(receiver.requests).toHaveLength(0);
    expect((await listDeliveries(api.http, account, tenant.id, endpoint.id))[0]).toMatchObject({ status: 'pending', attempts: 0 });

    const worker = await track(startWorker(env));
    expect(worker.app.getHttpServer().listening).toBe(false);
    await waitFor(async () => (await listDeliveries(api.http, account, tenant.id, endpoint.id))[0]?.status === 'succeeded', 5_000);
    expect(receiver.requests).toHaveLength(1);
  });

  it('re-checks the destination at delivery time: a worker that does not allow private addresses refuses to send', async () => {
    const prefix = isolatedPrefix('wh-rebind');
    // The endpoint was accepted (here: by an API process allowing private destinations); by the
    // time it is delivered, the address is checked again by the process that sends.
    const api = await track(startTestApp({ ...FAST_WEBHOOKS, ROLE: 'api', REDIS_KEY_PREFIX: prefix }));
    await track(startWorker({ ...FAST_WEBHOOKS, WEBHOOK_ALLOW_PRIVATE: 'false', REDIS_KEY_PREFIX: prefix }));
    const account = await createAccount(api.http);
    const tenant = await createTenant(api.http, account);
    const endpoint = await createEndpoint(api.http, account, tenant.id, { url: receiver.url(), events: ['cache_miss'] });
    await api.app.get(WebhookDispatcher).emit(tenant.id, { name: 'cache_miss', channel: 'cache-x' });
    await waitFor(async () => (await listDeliveries(api.http, account, tenant.id, endpoint.id))[0]?.status === 'dead', 10_000);
    const [d] = await listDeliveries(api.http, account, tenant.id, endpoint.id);
    expect(d.lastError).toMatch(/private, loopback or link-local/);
    expect(d.lastStatusCode).toBeNull();
    expect(receiver.requests).toHaveLength(0);
  });

  it('re-enqueues, at worker start, an open delivery that never got its job', async () => {
    const env = { ...FAST_WEBHOOKS, REDIS_KEY_PREFIX: isolatedPrefix('wh-reconcile') };
    const api = await track(startTestApp({ ...env, ROLE: 'api' }));
    const account = await createAccount(api.http);
    const tenant = await createTenant(api.http, account);
    const endpoint = await createEndpoint(api.http, account, tenant.id, { url: receiver.url(), events: ['channel_occupied'] });
    // As if the process died between logging the delivery and enqueueing it.
    const body = JSON.stringify({ time_ms: Date.now(), events: [{ name: 'channel_occupied', channel: 'orphan' }] });
    const [{ id }] = await api.app
      .get(DataSource)
      .query(
        `INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_names, format, body, status, created_at, updated_at)
         VALUES ($1, $2, '{channel_occupied}', 'pusher', $3, 'pending', now() - interval '10 minutes', now() - interval '10 minutes') RETURNING id`,
        [tenant.id, endpoint.id, body],
      );
    await track(startWorker(env));
    await waitFor(async () => (await listDeliveries(api.http, account, tenant.id, endpoint.id))[0]?.status === 'succeeded', 5_000);
    expect(receiver.requests.map((r) => r.rawBody)).toEqual([body]);
    expect(receiver.requests[0].headers['x-relaybase-delivery']).toBe(id);
  });
});

describe('webhook deliveries without Redis (BullMQ on its Postgres backend, as in embedded mode)', () => {
  let t: TestApp;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await Receiver.start();
  });
  afterAll(async () => {
    await t?.close();
    await receiver.close();
  });

  it('delivers and retries with the same code path', async () => {
    t = await startTestApp({ ...FAST_WEBHOOKS, REDIS_URL: undefined });
    const account = await createAccount(t.http);
    const tenant = await createTenant(t.http, account);
    const endpoint = await createEndpoint(t.http, account, tenant.id, { url: receiver.url(), events: ['notification_created'] });
    receiver.respond = (_r, i) => (i === 0 ? 502 : 200);
    await t.app.get(WebhookDispatcher).emit(tenant.id, { name: 'notification_created', userId: 'u1', data: { id: 'n1' } });
    await waitFor(async () => (await listDeliveries(t.http, account, tenant.id, endpoint.id))[0]?.status === 'succeeded', 15_000);
    expect((await listDeliveries(t.http, account, tenant.id, endpoint.id))[0]).toMatchObject({ attempts: 2, lastStatusCode: 200 });
    expect(receiver.requests).toHaveLength(2);
  });
});
