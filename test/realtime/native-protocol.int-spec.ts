import WebSocket from 'ws';
import { createApiKey } from '../factories/account.factory';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import {
  connectEndUser,
  connectWithToken,
  createRealtimeTenant,
  endUserToken,
  publish,
  realtimeModes,
  RealtimeTenant,
  subscribe,
  wsUrl,
} from './support/realtime-fixtures';
import { TestWsClient } from './support/ws-client';

describe.each(realtimeModes(hasRedis()))('native WebSocket protocol — %s', (_mode, env) => {
  let t: TestApp;
  let rt: RealtimeTenant;
  const clients: TestWsClient[] = [];
  const track = (c: TestWsClient) => (clients.push(c), c);

  beforeAll(async () => {
    t = await startTestApp({ WS_AUTH_TIMEOUT_MS: '400', ...env });
    rt = await createRealtimeTenant(t.http);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => t.close());

  describe('connecting', () => {
    it('an end user connects at /ws/:tenantKey?jwt= and is greeted with its socket id', async () => {
      const c = track(await TestWsClient.open(wsUrl(t.baseUrl, `/ws/${rt.tenant.key}?jwt=${endUserToken(rt.tenant, 'alice')}`)));
      const hello = await c.next('connected');
      expect(hello.data).toEqual({ socketId: expect.stringMatching(/^\d+\.\d+$/), authType: 'enduser', userId: 'alice', tenantId: rt.tenant.id });
    });

    it.each([
      ['an unknown tenant key', () => `/ws/0000nope?jwt=${endUserToken(rt.tenant, 'a')}`, 4001, /Unknown tenant key/],
      ['a token signed with another secret', () => `/ws/${rt.tenant.key}?jwt=${endUserToken({ ...rt.tenant, jwtSecret: 'x'.repeat(40) }, 'a')}`, 4001, /Invalid token/],
      ['an expired token', () => `/ws/${rt.tenant.key}?jwt=${endUserToken(rt.tenant, 'a', { exp: Math.floor(Date.now() / 1000) - 60 })}`, 4001, /Token expired/],
      ['no token', () => `/ws/${rt.tenant.key}`, 4001, /Missing jwt/],
      ['a bad API key', () => '/ws?token=rb_live_' + 'x'.repeat(43), 4001, /Invalid API key/],
      ['a bad account JWT', () => '/ws?token=not.a.jwt', 4001, /Invalid token/],
    ])('%s gets an unauthorized error frame, then close %s', async (_name, path, code, message) => {
      const c = track(await TestWsClient.open(wsUrl(t.baseUrl, path())));
      const error = await c.next('error');
      expect(error).toEqual({ type: 'error', code: 'unauthorized', message: expect.stringMatching(message) });
      expect((await c.closed).code).toBe(code);
      expect(c.frames).toHaveLength(1);
    });

    it('a disabled tenant closes with 4003', async () => {
      const other = await createRealtimeTenant(t.http);
      await t.http.patch(`/api/tenants/${other.tenant.id}`, { enabled: false }, { token: other.account.token });
      const c = track(await TestWsClient.open(wsUrl(t.baseUrl, `/ws/${other.tenant.key}?jwt=${endUserToken(other.tenant, 'a')}`)));
      expect((await c.next('error')).message).toBe('Tenant is disabled');
      expect((await c.closed).code).toBe(4003);
    });

    it('an unknown path is refused with 404', async () => {
      const ws = new WebSocket(wsUrl(t.baseUrl, '/nope'));
      const status = await new Promise((resolve) => {
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode));
        ws.once('error', () => resolve('error'));
      });
      expect(status).toBe(404);
    });

    it('/ws?token=<api key> acts on the key\'s tenant', async () => {
      const c = track(await connectWithToken(t.baseUrl, rt.serverKey));
      expect(c.frames[0].data).toMatchObject({ authType: 'apikey', userId: rt.account.id, tenantId: rt.tenant.id });
      await subscribe(c, 'news');
      expect((await publish(t.http, rt.serverKey, 'news', 'notification', { message: 'hi' })).status).toBe(200);
      expect(await c.next('notification')).toEqual({ type: 'notification', channel: 'news', data: { message: 'hi' } });
    });

    it('/ws?token=<account JWT>&tenant=<appId> acts on an owned tenant; a tenant it does not own is refused', async () => {
      const c = track(await connectWithToken(t.baseUrl, rt.account.token, rt.tenant.appId));
      expect(c.frames[0].data).toMatchObject({ authType: 'jwt', userId: rt.account.id, tenantId: rt.tenant.id });
      const stranger = await createRealtimeTenant(t.http);
      const refused = track(await TestWsClient.open(wsUrl(t.baseUrl, `/ws?token=${rt.account.token}&tenant=${stranger.tenant.appId}`)));
      expect(await refused.next('error')).toMatchObject({ code: 'unauthorized', message: 'Tenant not found' });
      expect((await refused.closed).code).toBe(4001);
    });

    it('/ws without tenant: channel subscriptions are refused with subscription_failed', async () => {
      const c = track(await connectWithToken(t.baseUrl, rt.account.token));
      expect(c.frames[0].data.tenantId).toBeNull();
      const reply = await c.request({ type: 'subscribe', data: { channel: 'news' } }, 'subscribed');
      expect(reply).toMatchObject({ type: 'error', code: 'subscription_failed', channel: 'news', message: expect.stringMatching(/not bound to a tenant/) });
    });

    it('/ws then an authenticate message (seed 003): authenticated, or auth_error and a retry', async () => {
      const c = track(await TestWsClient.open(wsUrl(t.baseUrl, '/ws')));
      expect(await c.request({ type: 'subscribe', data: { channel: 'news' } }, 'error')).toMatchObject({ code: 'unauthorized' });
      expect(await c.request({ type: 'authenticate', payload: { apiKey: 'rb_live_' + 'y'.repeat(43) } }, 'auth_error')).toEqual({
        type: 'auth_error',
        payload: { error: 'Invalid API key' },
      });
      const ok = await c.request({ type: 'authenticate', payload: { apiKey: rt.serverKey } }, 'authenticated');
      expect(ok).toEqual({
        type: 'authenticated',
        payload: { authType: 'apikey', userId: rt.account.id, socketId: expect.stringMatching(/^\d+\.\d+$/), tenantId: rt.tenant.id },
      });
      await subscribe(c, 'news');
    });

    it('/ws without authenticating in time: error, then close 4008', async () => {
      const c = track(await TestWsClient.open(wsUrl(t.baseUrl, '/ws')));
      expect(await c.next('error')).toMatchObject({ code: 'unauthorized', message: 'Authentication timeout' });
      expect((await c.closed).code).toBe(4008);
    });
  });

  describe('channels', () => {
    it('subscribe, receive seed 004 events, unsubscribe stops delivery', async () => {
      const c = track(await connectEndUser(t.baseUrl, rt.tenant, 'bob'));
      expect(await subscribe(c, 'conversation:conv-123')).toEqual({ type: 'subscribed', channel: 'conversation:conv-123' });
      const events = [
        ['notification', { message: 'New comment on your post', level: 'info' }],
        ['chat_message', { conversation_id: 'conv-123', sender_id: 'user-456', content: 'Hello there!' }],
        ['status_update', { entity_type: 'task', entity_id: 'task-789', status: 'completed' }],
      ] as const;
      for (const [type, data] of events) expect((await publish(t.http, rt.serverKey, 'conversation:conv-123', type, data)).status).toBe(200);
      for (const [type, data] of events) expect(await c.next(type)).toEqual({ type, channel: 'conversation:conv-123', data });

      expect(await c.request({ type: 'unsubscribe', data: { channel: 'conversation:conv-123' } }, 'unsubscribed')).toEqual({
        type: 'unsubscribed',
        channel: 'conversation:conv-123',
      });
      await publish(t.http, rt.serverKey, 'conversation:conv-123', 'notification', { message: 'after' });
      expect(await c.receivesNothing((f) => f.data?.message === 'after')).toBe(true);
    });

    it('only subscribers of the channel receive its events', async () => {
      const a = track(await connectEndUser(t.baseUrl, rt.tenant, 'a'));
      const b = track(await connectEndUser(t.baseUrl, rt.tenant, 'b'));
      await subscribe(a, 'room-a');
      await subscribe(b, 'room-b');
      await publish(t.http, rt.serverKey, 'room-a', 'notification', { n: 1 });
      expect((await a.next('notification')).data).toEqual({ n: 1 });
      expect(await b.receivesNothing((f) => f.type === 'notification')).toBe(true);
    });

    it('ping gets pong', async () => {
      const c = track(await connectEndUser(t.baseUrl, rt.tenant, 'p'));
      expect(await c.request({ type: 'ping', data: {} }, 'pong')).toEqual({ type: 'pong', data: { timestamp: expect.any(Number) } });
    });

    it('seed 001 broadcast reaches every connection of the tenant when the tenant allows end users to publish', async () => {
      const open = await createRealtimeTenant(t.http, { settings: { endUserPublishEnabled: true } });
      const a = track(await connectEndUser(t.baseUrl, open.tenant, 'a'));
      const b = track(await connectEndUser(t.baseUrl, open.tenant, 'b'));
      const outsider = track(await connectEndUser(t.baseUrl, rt.tenant, 'a'));
      a.send({ type: 'broadcast', payload: 'System announcement' });
      for (const c of [a, b]) expect(await c.next('broadcast')).toEqual({ type: 'broadcast', payload: 'System announcement', from: 'a' });
      expect(await outsider.receivesNothing((f) => f.type === 'broadcast')).toBe(true);
      // In a tenant that does not allow it, the end user is refused.
      expect(await outsider.request({ type: 'broadcast', payload: 'x' }, 'broadcast')).toMatchObject({ type: 'error', code: 'unauthorized' });
    });
  });

  describe('errors answer with a code and leave the connection usable', () => {
    it.each([
      ['not JSON', '{nope', 'invalid_request', 'Invalid JSON'],
      ['not an object', '[1,2]', 'invalid_request', 'Message must be a JSON object'],
      ['an unknown type', { type: 'dance' }, 'invalid_request', 'Unknown message type'],
      ['no type', { channel: 'x' }, 'invalid_request', 'Unknown message type'],
      ['subscribe without channel', { type: 'subscribe', data: {} }, 'invalid_request', 'Channel required'],
      ['a bad channel name', { type: 'subscribe', data: { channel: 'has space' } }, 'invalid_request', expect.stringMatching(/Invalid channel name/)],
      ['broadcast without payload', { type: 'broadcast' }, 'invalid_request', 'Payload required'],
      ['a private channel without proof', { type: 'subscribe', data: { channel: 'private-x' } }, 'unauthorized', expect.stringMatching(/needs authorization/)],
      ['another user\'s channel', { type: 'subscribe', data: { channel: 'user:someone-else' } }, 'unauthorized', expect.stringMatching(/only for user/)],
      ['authenticate again', { type: 'authenticate', payload: { apiKey: 'x' } }, 'invalid_request', 'Already authenticated'],
    ])('%s', async (_name, message, code, text) => {
      const c = track(await connectEndUser(t.baseUrl, rt.tenant, 'err'));
      c.send(message);
      expect(await c.next('error')).toMatchObject({ type: 'error', code, message: text });
      // Unknown fields are ignored, and the connection still works.
      expect((await c.request({ type: 'ping', extra: { deep: [1] } }, 'pong')).type).toBe('pong');
      await subscribe(c, 'still-works');
    });

    it('a binary frame is refused', async () => {
      const c = track(await connectEndUser(t.baseUrl, rt.tenant, 'bin'));
      c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      expect(await c.next('error')).toMatchObject({ code: 'invalid_request', message: 'Binary messages are not supported' });
      expect((await c.request({ type: 'ping' }, 'pong')).type).toBe('pong');
    });
  });

  describe('REST publish', () => {
    it('refuses keys without events:trigger, bad names and reserved types, and needs a tenant', async () => {
      const readOnly = await createApiKey(t.http, rt.account, { scopes: ['channels:read'], tenantId: rt.tenant.id });
      expect((await publish(t.http, readOnly.key, 'news', 'notification', {})).status).toBe(403);
      expect((await publish(t.http, rt.serverKey, 'bad name', 'notification', {})).body.error.code).toBe('VALIDATION_ERROR');
      expect((await publish(t.http, rt.serverKey, 'news', 'subscribed', {})).body.error.message).toMatch(/reserved/);
      const unbound = await createApiKey(t.http, rt.account, { scopes: ['events:trigger'] });
      expect((await publish(t.http, unbound.key, 'news', 'notification', {})).status).toBe(400);
      const named = await t.http.post(`/api/channels/news/events?tenant=${rt.tenant.key}`, { type: 'notification', data: 1 }, { apiKey: unbound.key });
      expect(named.status).toBe(200);
      expect(named.body).toEqual({ success: true, data: { channel: 'news', type: 'notification' } });
      const missing = await t.http.post('/api/channels/news/events', { type: 'notification' }, { apiKey: rt.serverKey });
      expect(missing.status).toBe(400);
    });

    it('an end-user JWT may publish only where the tenant allows it', async () => {
      const open = await createRealtimeTenant(t.http, { settings: { endUserPublishEnabled: true } });
      const listener = track(await connectEndUser(t.baseUrl, open.tenant, 'listener'));
      await subscribe(listener, 'lobby');
      const asUser = (tenant: typeof open.tenant, channel: string) =>
        t.http.post(`/api/channels/${channel}/events`, { type: 'chat_message', data: { content: 'hey' } }, {
          token: endUserToken(tenant, 'writer'),
          headers: { 'x-tenant-key': tenant.key },
        });
      expect((await asUser(open.tenant, 'lobby')).status).toBe(200);
      expect(await listener.next('chat_message')).toEqual({ type: 'chat_message', channel: 'lobby', data: { content: 'hey' }, from: 'writer' });
      expect((await asUser(open.tenant, 'private-x')).status).toBe(403);
      expect((await asUser(open.tenant, 'user:someone')).status).toBe(403);
      expect((await asUser(rt.tenant, 'lobby')).status).toBe(403);
    });
  });

  it('GET /metrics reports connections, subscriptions and messages', async () => {
    const c = track(await connectEndUser(t.baseUrl, rt.tenant, 'm'));
    await subscribe(c, 'metrics-channel');
    await publish(t.http, rt.serverKey, 'metrics-channel', 'notification', {});
    await c.next('notification');
    const res = await fetch(`${t.baseUrl}/metrics`);
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(Number(/relaybase_ws_connections\{dialect="native"\} (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/relaybase_ws_subscriptions (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/relaybase_ws_messages_out_total (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(/relaybase_ws_messages_in_total\{dialect="native"\} (\d+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/relaybase_publish_to_send_seconds_count \d+/);
    expect(text).toMatch(/relaybase_bus_errors_total 0/);
  });
});
