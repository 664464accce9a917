import WebSocket from 'ws';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import {
  connectEndUser,
  createRealtimeTenant,
  endUserToken,
  eventually,
  publish,
  realtimeModes,
  RealtimeTenant,
  subscribe,
  wsUrl,
} from './support/realtime-fixtures';
import { TestWsClient } from './support/ws-client';

const MAX_FRAME = 1_024;

describe.each(realtimeModes(hasRedis()))('limits — %s', (_mode, env) => {
  let t: TestApp;
  let rt: RealtimeTenant;
  const clients: TestWsClient[] = [];
  const track = (c: TestWsClient) => (clients.push(c), c);
  const connections = async (key: string) => (await t.http.get('/api/channels', { apiKey: key })).body.data.connections;

  beforeAll(async () => {
    t = await startTestApp({
      ...env,
      WS_MAX_FRAME_BYTES: String(MAX_FRAME),
      WS_MAX_MESSAGES_PER_SECOND: '5',
      WS_MAX_CHANNEL_NAME_LENGTH: '20',
      WS_PING_INTERVAL_MS: '150',
    });
    rt = await createRealtimeTenant(t.http, { limits: { maxChannelsPerConnection: 2, maxConnections: 3 } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => t.close());

  it('a message over WS_MAX_FRAME_BYTES is answered with message_too_large; far over it closes with 1009', async () => {
    const c = track(await connectEndUser(t.baseUrl, rt.tenant, 'big'));
    c.send({ type: 'ping', pad: 'x'.repeat(MAX_FRAME) });
    expect(await c.next('error')).toEqual({ type: 'error', code: 'message_too_large', message: `Message exceeds ${MAX_FRAME} bytes` });
    expect((await c.request({ type: 'ping' }, 'pong')).type).toBe('pong');
    c.send({ type: 'ping', pad: 'x'.repeat(MAX_FRAME * 4) });
    expect((await c.closed).code).toBe(1009);
  });

  it('inbound messages over WS_MAX_MESSAGES_PER_SECOND are dropped with one rate_limited error per second', async () => {
    const c = track(await connectEndUser(t.baseUrl, rt.tenant, 'chatty'));
    await new Promise((r) => setTimeout(r, 1_050)); // a fresh one-second window
    for (let i = 0; i < 12; i++) c.send({ type: 'ping' });
    await c.next((f) => f.type === 'error' && f.code === 'rate_limited');
    await new Promise((r) => setTimeout(r, 200));
    expect(c.frames.filter((f) => f.type === 'pong').length).toBeLessThanOrEqual(5);
    expect(c.frames.filter((f) => f.type === 'error')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await c.request({ type: 'ping' }, 'pong')).type).toBe('pong');
  });

  it('channels per connection follow the tenant plan (with overrides); unsubscribing frees a slot', async () => {
    const c = track(await connectEndUser(t.baseUrl, rt.tenant, 'many'));
    await subscribe(c, 'one');
    await subscribe(c, 'two');
    expect(await c.request({ type: 'subscribe', data: { channel: 'three' } }, 'subscribed')).toEqual({
      type: 'error',
      code: 'subscription_failed',
      message: 'Channel limit reached: at most 2 channels per connection',
      channel: 'three',
    });
    await c.request({ type: 'unsubscribe', data: { channel: 'one' } }, 'unsubscribed');
    await subscribe(c, 'three');
  });

  it('channel names longer than WS_MAX_CHANNEL_NAME_LENGTH are refused', async () => {
    const c = track(await connectEndUser(t.baseUrl, rt.tenant, 'long'));
    expect(await c.request({ type: 'subscribe', data: { channel: 'x'.repeat(21) } }, 'subscribed')).toMatchObject({
      code: 'invalid_request',
      message: 'Channel name exceeds 20 characters',
    });
  });

  it('connections per tenant: over the plan limit, over_quota then close 4004; a freed slot can be reused', async () => {
    const fresh = await createRealtimeTenant(t.http, { limits: { maxConnections: 2 } });
    const a = track(await connectEndUser(t.baseUrl, fresh.tenant, 'a'));
    track(await connectEndUser(t.baseUrl, fresh.tenant, 'b'));
    const refused = track(await TestWsClient.open(wsUrl(t.baseUrl, `/ws/${fresh.tenant.key}?jwt=${endUserToken(fresh.tenant, 'c')}`)));
    expect(await refused.next('error')).toEqual({ type: 'error', code: 'over_quota', message: 'Connection limit reached: this tenant allows 2 connections' });
    expect((await refused.closed).code).toBe(4004);
    // Another tenant is not affected.
    track(await connectEndUser(t.baseUrl, rt.tenant, 'elsewhere'));
    await a.close();
    expect(await eventually(async () => (await connections(fresh.serverKey)) === 1, 3_000)).toBe(true);
    track(await connectEndUser(t.baseUrl, fresh.tenant, 'c'));
    expect(await connections(fresh.serverKey)).toBe(2);
  });

  it('REST events over WS_MAX_FRAME_BYTES get 413', async () => {
    const res = await publish(t.http, rt.serverKey, 'news', 'notification', { blob: 'x'.repeat(MAX_FRAME) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('the server pings; a client that never answers is closed, one that answers stays', async () => {
    const fresh = await createRealtimeTenant(t.http);
    const url = wsUrl(t.baseUrl, `/ws/${fresh.tenant.key}?jwt=${endUserToken(fresh.tenant, 'x')}`);
    const deaf = track(new TestWsClient(new WebSocket(url, { autoPong: false })));
    const healthy = track(await TestWsClient.open(url));
    await deaf.opened;
    const started = Date.now();
    expect((await deaf.closed).code).toBe(1006);
    expect(Date.now() - started).toBeLessThan(2_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
  });
});
