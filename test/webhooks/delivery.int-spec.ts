import { createHmac } from 'node:crypto';
import { WebhookDispatcher } from '../../src/modules/webhooks/webhook.dispatcher';
import { WebhookEvent } from '../../src/modules/webhooks/webhook-event';
import { createAccount, createApiKey, createTenant, TestAccount, TestTenant } from '../factories/account.factory';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { Receiver } from './support/receiver';
import { createEndpoint, FAST_WEBHOOKS, isolatedPrefix, listDeliveries, pusherAccepts, pusherWebhook } from './support/webhook-fixtures';

/** One of every event type, as a producer (the hub, chat) would emit it. */
const EVERY_EVENT: WebhookEvent[] = [
  { name: 'connection_established', socketId: '123.456', userId: 'u1' },
  { name: 'connection_disconnected', socketId: '123.456', userId: 'u1' },
  { name: 'channel_occupied', channel: 'room-1' },
  { name: 'channel_vacated', channel: 'room-2' },
  { name: 'member_added', channel: 'presence-lobby', userId: 'u1' },
  { name: 'member_removed', channel: 'presence-hall', userId: 'u2' },
  { name: 'client_event', channel: 'presence-lobby', event: 'client-typing', data: '{"on":true}', socketId: '123.456', userId: 'u1' },
  { name: 'cache_miss', channel: 'cache-prices' },
  { name: 'subscription_count', channel: 'room-1', subscriptionCount: 3 },
  { name: 'message_created', channel: 'room-42', userId: 'u1', data: { id: 'm1', text: 'hello' } },
  { name: 'notification_created', userId: 'u1', data: { id: 'n1', title: 'Welcome' } },
];

/** The same events in Pusher's webhook field names. */
const EVERY_EVENT_PUSHER = [
  { name: 'connection_established', socket_id: '123.456', user_id: 'u1' },
  { name: 'connection_disconnected', socket_id: '123.456', user_id: 'u1' },
  { name: 'channel_occupied', channel: 'room-1' },
  { name: 'channel_vacated', channel: 'room-2' },
  { name: 'member_added', channel: 'presence-lobby', user_id: 'u1' },
  { name: 'member_removed', channel: 'presence-hall', user_id: 'u2' },
  { name: 'client_event', channel: 'presence-lobby', event: 'client-typing', data: '{"on":true}', socket_id: '123.456', user_id: 'u1' },
  { name: 'cache_miss', channel: 'cache-prices' },
  { name: 'subscription_count', channel: 'room-1', subscription_count: 3 },
  { name: 'message_created', channel: 'room-42', user_id: 'u1', data: { id: 'm1', text: 'hello' } },
  { name: 'notification_created', user_id: 'u1', data: { id: 'n1', title: 'Welcome' } },
];

const ALL_NAMES = EVERY_EVENT.map((e) => e.name);

/** Checks a native signature the way a receiver in any language would: HMAC-SHA256 over "<t>.<body>". */
function nativeSignatureValid(secret: string, rawBody: string, header: string | undefined): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const fresh = Math.abs(Date.now() / 1000 - Number(m[1])) < 60;
  return fresh && createHmac('sha256', secret).update(`${m[1]}.${rawBody}`).digest('hex') === m[2];
}

describe('webhook delivery', () => {
  let t: TestApp;
  let dispatcher: WebhookDispatcher;
  let receiver: Receiver;
  let account: TestAccount;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await startTestApp({ ...FAST_WEBHOOKS, REDIS_KEY_PREFIX: isolatedPrefix('wh-delivery') });
    dispatcher = t.app.get(WebhookDispatcher);
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    receiver = await Receiver.start();
    account = await createAccount(t.http);
    tenant = await createTenant(t.http, account);
  });
  afterEach(() => receiver.close());

  it('delivers every event type in Pusher format, each accepted by the pusher SDK webhook validator', async () => {
    const endpoint = await createEndpoint(t.http, account, tenant.id, { url: receiver.url(), events: ALL_NAMES, format: 'pusher' });
    for (const e of EVERY_EVENT) await dispatcher.emit(tenant.id, e);
    await waitFor(() => receiver.requests.length >= EVERY_EVENT.length, 10_000);

    const received = [];
    for (const r of receiver.requests) {
      expect(r.method).toBe('POST');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-pusher-key']).toBe(tenant.key);
      const webhook = pusherWebhook(tenant, r);
      expect(webhook.isValid()).toBe(true);
      expect(webhook.getTime().getTime()).toBeLessThanOrEqual(Date.now());
      expect(webhook.getEvents()).toHaveLength(1);
      received.push(...webhook.getEvents());
    }
    expect(received).toEqual(expect.arrayContaining(EVERY_EVENT_PUSHER));
    expect(received).toHaveLength(EVERY_EVENT_PUSHER.length);
    // A receiver holding another secret rejects them.
    expect(pusherAccepts({ ...tenant, secret: 'not-the-secret' }, receiver.requests[0])).toBe(false);

    await waitFor(async () => (await listDeliveries(t.http, account, tenant.id, endpoint.id, '?status=succeeded')).length === EVERY_EVENT.length);
    const log = await listDeliveries(t.http, account, tenant.id, endpoint.id);
    expect(log.every((d) => d.attempts === 1 && d.lastStatusCode === 200 && d.lastError === null && d.latencyMs >= 0)).toBe(true);
    expect(log.map((d) => d.events[0]).sort()).toEqual([...ALL_NAMES].sort());
  });

  it('delivers every event type in native format with a timestamped signature and the delivery id', async () => {
    const endpoint = await createEndpoint(t.http, account, tenant.id, { url: receiver.url(), events: ALL_NAMES, format: 'native' });
    for (const e of EVERY_EVENT) await dispatcher.emit(tenant.id, e);
    await waitFor(() => receiver.requests.length >= EVERY_EVENT.length, 10_000);

    for (const r of receiver.requests) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-relaybase-key']).toBe(tenant.key);
      expect(nativeSignatureValid(tenant.secret, r.rawBody, r.headers['x-relaybase-signature'] as string)).toBe(true);
      expect(nativeSignatureValid('wrong-secret', r.rawBody, r.headers['x-relaybase-signature'] as string)).toBe(false);
      expect(r.headers['x-relaybase-delivery']).toBe(r.body.deliveryId);
      expect(r.body.timeMs).toEqual(expect.any(Number));
    }
    const events = receiver.requests.flatMap((r) => r.body.events);
    expect(events.map((e: { name: string }) => e.name).sort()).toEqual([...ALL_NAMES].sort());
    expect(events).toContainEqual(expect.objectContaining({ name: 'member_added', channel: 'presence-lobby', userId: 'u1' }));
    expect(events).toContainEqual(expect.objectContaining({ name: 'subscription_count', channel: 'room-1', subscriptionCount: 3 }));

    await waitFor(async () => (await listDeliveries(t.http, account, tenant.id, endpoint.id, '?status=succeeded')).length === EVERY_EVENT.length);
    const ids = (await listDeliveries(t.http, account, tenant.id, endpoint.id, '?limit=100')).map((d) => d.id).sort();
    expect(receiver.requests.map((r) => r.headers['x-relaybase-delivery']).sort()).toEqual(ids);
  });

  it('retries a receiver that fails twice, logs one successful delivery with 3 attempts, and never calls it again', async () => {
    receiver.respond = (_r, i) => (i < 2 ? 500 : 200);
    const endpoint = await createEndpoint(t.http, account, tenant.id, { url: receiver.url(), events: ['channel_occupied'], format: 'native' });
    await dispatcher.emit(tenant.id, { name: 'channel_occupied', channel: 'retry-me' });

    await waitFor(async () => (await listDeliveries(t.http, account, tenant.id, endpoint.id))[0]?.status === 'succeeded', 10_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const log = await listDeliveries(t.http, account, tenant.id, endpoint.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ status: 'succeeded', attempts: 3, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    expect(receiver.requests).toHaveLength(3);
    // Every attempt is the same delivery: same id, same bytes.
    expect(new Set(receiver.requests.map((r) => r.headers['x-relaybase-delivery']))).toEqual(new Set([log[0].id]));
    expect(new Set(receiver.requests.map((r) => r.rawBody)).size).toBe(1);
    // Exponential backoff: the second gap is longer than the first (100 ms then 200 ms, minus up to 20% jitter).
    const [a, b, c] = receiver.requests.map((r) => r.at);
    expect(b - a).toBeGreaterThanOrEqual(70);
    expect(c - b).toBeGreaterThanOrEqual(150);
  });

  it('dead-letters a delivery whose receiver is down for the whole retry window, and redelivers it on request', async () => {
    receiver.respond = () => 503;
    const endpoint = await createEndpoint(t.http, account, tenant.id, { url: receiver.url(), events: ['member_added'] });
    await dispatcher.emit(tenant.id, { name: 'member_added', channel: 'presence-x', userId: 'u9' });

    await waitFor(async () => (await listDeliveries(t.http, account, tenant.id, endpoint.id))[0]?.status === 'dead', 10_000);
    const [dead] = await listDeliveries(t.http, account, tenant.id, endpoint.id);
    expect(dead).toMatchObject({ status: 'dead', lastStatusCode: 503, lastError: 'HTTP 503', nextAttemptAt: null });
    expect(dead.attempts).toBeGreaterThanOrEqual(4);
    expect(dead.attempts).toBe(receiver.requests.length);
    expect(new Date(dead.lastAttemptAt).getTime() - new Date(dead.firstAttemptAt).getTime()).toBeGreaterThanOrEqual(1_500);
    await new Promise((r) => setTimeout(r, 800));
    expect(receiver.requests.length).toBe(dead.attempts);

    receiver.respond = () => 200;
    const res = await t.http.post(`/api/tenants/${tenant.id}/webhooks/${endpoint.id}/deliveries/${dead.id}/redeliver`, undefined, { token: account.token });
    expect(res.status).toBe(202);
    expect(res.body.data).toMatchObject({ status: 'pending', redeliveryOf: dead.id, events: ['member_added'] });
    await waitFor(async () => (await listDeliveries(t.http, account, tenant.id, endpoint.id, '?status=succeeded')).length === 1, 5_000);
    const last = receiver.requests[receiver.requests.length - 1];
    expect(pusherAccepts(tenant, last)).toBe(true);
    expect(last.body.events).toEqual([{ name: 'member_added', channel: 'presence-x', user_id: 'u9' }]);
    expect((await listDeliveries(t.http, account, tenant.id, endpoint.id, '?status=dead')).map((d) => d.id)).toEqual([dead.id]);
  });

  it('counts a receiver that does not answer in time as a failed attempt', async () => {
    receiver.respond = (_r, i) => (i === 0 ? 'hang' : 204);
    const endpoint = await createEndpoint(t.http, account, tenant.id, { url: receiver.url(), events: ['cache_miss'] });
    await dispatcher.emit(tenant.id, { name: 'cache_miss', channel: 'cache-slow' });
    await waitFor(async () => (await listDeliveries(t.http, account, tenant.id, endpoint.id))[0]?.status === 'succeeded', 10_000);
    const [d] = await listDeliveries(t.http, account, tenant.id, endpoint.id);
    expect(d).toMatchObject({ attempts: 2, lastStatusCode: 204 });
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests[1].at - receiver.requests[0].at).toBeGreaterThanOrEqual(1_000);
  });

  it('sends only subscribed events on channels with the prefix, adds custom headers, and nothing to inactive endpoints', async () => {
    const inactive = await Receiver.start();
    try {
      await createEndpoint(t.http, account, tenant.id, {
        url: receiver.url('/filtered'),
        events: ['channel_occupied', 'member_added', 'connection_established'],
        channelPrefix: 'presence-',
        headers: { Authorization: 'Bearer receiver-token', 'X-Team': 'ops' },
      });
      await createEndpoint(t.http, account, tenant.id, { url: inactive.url(), events: ALL_NAMES, active: false });
      await dispatcher.emit(tenant.id, { name: 'channel_occupied', channel: 'room-1' });
      await dispatcher.emit(tenant.id, { name: 'client_event', channel: 'presence-a', event: 'client-x', data: '{}' });
      await dispatcher.emit(tenant.id, { name: 'channel_occupied', channel: 'presence-a' });
      await dispatcher.emit(tenant.id, { name: 'connection_established', socketId: '1.2' });
      await waitFor(() => receiver.requests.length >= 2);
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.requests.map((r) => r.body.events[0])).toEqual(
        expect.arrayContaining([
          { name: 'channel_occupied', channel: 'presence-a' },
          { name: 'connection_established', socket_id: '1.2' },
        ]),
      );
      expect(receiver.requests).toHaveLength(2);
      expect(receiver.requests[0].path).toBe('/filtered');
      expect(receiver.requests[0].headers.authorization).toBe('Bearer receiver-token');
      expect(receiver.requests[0].headers['x-team']).toBe('ops');
      expect(inactive.requests).toHaveLength(0);
    } finally {
      await inactive.close();
    }
  });

  it('batches events of a batching endpoint: at most 20 per request, all signed', async () => {
    const endpoint = await createEndpoint(t.http, account, tenant.id, { url: receiver.url(), events: ['client_event'], batch: true });
    for (let i = 0; i < 25; i++) void dispatcher.emit(tenant.id, { name: 'client_event', channel: 'room-b', event: 'client-n', data: String(i) });
    await waitFor(() => receiver.requests.reduce((n, r) => n + r.body.events.length, 0) >= 25, 5_000);
    expect(receiver.requests.map((r) => r.body.events.length)).toEqual([20, 5]);
    for (const r of receiver.requests) expect(pusherAccepts(tenant, r)).toBe(true);
    expect(receiver.requests.flatMap((r) => r.body.events.map((e: { data: string }) => Number(e.data))).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i),
    );
    const log = await listDeliveries(t.http, account, tenant.id, endpoint.id);
    expect(log.map((d) => d.events.length).sort((a, b) => a - b)).toEqual([5, 20]);
  });

  it('sends a signed ping on test and reports what the receiver answered', async () => {
    const endpoint = await createEndpoint(t.http, account, tenant.id, { url: receiver.url(), events: ['channel_occupied'] });
    const res = await t.http.post(`/api/tenants/${tenant.id}/webhooks/${endpoint.id}/test`, undefined, { token: account.token });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ ok: true, statusCode: 200, error: null, deliveryId: expect.any(String) });
    expect(receiver.requests).toHaveLength(1);
    expect(pusherAccepts(tenant, receiver.requests[0])).toBe(true);
    expect(receiver.requests[0].body.events).toEqual([{ name: 'ping' }]);

    receiver.respond = () => 500;
    const failed = await t.http.post(`/api/tenants/${tenant.id}/webhooks/${endpoint.id}/test`, undefined, { token: account.token });
    expect(failed.body.data).toMatchObject({ ok: false, statusCode: 500, error: 'HTTP 500' });
  });

  it('an API key with webhooks:manage bound to the tenant manages its endpoints and reads their deliveries', async () => {
    const { key } = await createApiKey(t.http, account, { scopes: ['webhooks:manage'], tenantId: tenant.id });
    const created = await t.http.post(`/api/tenants/${tenant.id}/webhooks`, { url: receiver.url(), events: ['channel_vacated'], format: 'native' }, { apiKey: key });
    expect(created.status).toBe(201);
    const res = await t.http.post(`/api/tenants/${tenant.id}/webhooks/${created.body.data.id}/test`, undefined, { apiKey: key });
    expect(res.body.data.ok).toBe(true);
    expect(nativeSignatureValid(tenant.secret, receiver.requests[0].rawBody, receiver.requests[0].headers['x-relaybase-signature'] as string)).toBe(true);
    expect((await t.http.get(`/api/tenants/${tenant.id}/webhooks/${created.body.data.id}/deliveries`, { apiKey: key })).status).toBe(200);
  });

  it('pages the delivery log newest first with a cursor', async () => {
    const endpoint = await createEndpoint(t.http, account, tenant.id, { url: receiver.url(), events: ['subscription_count'] });
    for (let i = 0; i < 5; i++) await dispatcher.emit(tenant.id, { name: 'subscription_count', channel: 'c', subscriptionCount: i });
    await waitFor(async () => (await listDeliveries(t.http, account, tenant.id, endpoint.id, '?status=succeeded')).length === 5);
    const seen: string[] = [];
    let cursor: string | null = null;
    const pages: number[] = [];
    do {
      const q: string = `?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.http.get(`/api/tenants/${tenant.id}/webhooks/${endpoint.id}/deliveries${q}`, { token: account.token });
      expect(res.status).toBe(200);
      pages.push(res.body.data.items.length);
      seen.push(...res.body.data.items.map((d: { id: string }) => d.id));
      cursor = res.body.data.nextCursor;
    } while (cursor);
    expect(pages).toEqual([2, 2, 1]);
    expect(new Set(seen).size).toBe(5);
    const all = await listDeliveries(t.http, account, tenant.id, endpoint.id);
    expect(seen).toEqual(all.map((d) => d.id));
    expect((await t.http.get(`/api/tenants/${tenant.id}/webhooks/${endpoint.id}/deliveries?status=bogus`, { token: account.token })).status).toBe(400);
    expect((await t.http.get(`/api/tenants/${tenant.id}/webhooks/${endpoint.id}/deliveries?limit=0`, { token: account.token })).status).toBe(400);
  });
});
