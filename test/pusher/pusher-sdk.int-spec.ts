import WebSocket from 'ws';
import { RealtimeHub } from '../../src/realtime/hub/realtime-hub.service';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import {
  client,
  connected,
  createPusherApp,
  disconnected,
  next,
  PusherApp,
  PusherClient,
  portOf,
  serverSdk,
  silence,
  subscribed,
} from './support/pusher-fixtures';

/**
 * The official pusher-js client and pusher server SDK against Relaybase, unchanged: the scenario
 * checklist of the protocol reference (§8.6). With Redis, every scenario runs with clients split
 * across two instances and the server SDK calling the other one.
 */
const setups: Array<[string, number]> = hasRedis() ? [['one instance', 1], ['two instances on Redis', 2]] : [['one instance', 1]];

describe.each(setups)('Pusher SDKs — %s', (_label, instances) => {
  let a: TestApp;
  let b: TestApp;
  let app: PusherApp;
  const clients: PusherClient[] = [];
  const track = (c: PusherClient) => (clients.push(c), c);

  beforeAll(async () => {
    if (instances === 2) [a, b] = await Promise.all([startTestApp(), startTestApp()]);
    else b = a = await startTestApp(hasRedis() ? {} : { REDIS_URL: '' });
    app = await createPusherApp(a, { settings: { clientEventsEnabled: true } });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(async () => {
    await a.close();
    if (b !== a) await b.close();
  });

  it('connects with a Pusher-shaped socket id and receives events triggered by the server SDK', async () => {
    const c = track(client(a, app.tenant));
    expect(await connected(c)).toMatch(/^\d+\.\d+$/);
    const channel = await subscribed(c, 'orders');
    const got = next(channel, 'order-created');
    await serverSdk(b, app.tenant).trigger('orders', 'order-created', { id: 42, total: '9.99' });
    expect((await got).data).toEqual({ id: 42, total: '9.99' });
  });

  it('excludes the socket_id given to trigger, and delivers to several channels at once', async () => {
    const sender = track(client(a, app.tenant));
    const other = track(client(b, app.tenant));
    const senderId = await connected(sender);
    await connected(other);
    const [s1, o1, o2] = [await subscribed(sender, 'multi-1'), await subscribed(other, 'multi-1'), await subscribed(other, 'multi-2')];
    const quiet = silence(s1, 'ev');
    const gotOne = next(o1, 'ev');
    const gotTwo = next(o2, 'ev');
    await serverSdk(b, app.tenant).trigger(['multi-1', 'multi-2'], 'ev', 'plain text', { socket_id: senderId });
    expect((await gotOne).data).toBe('plain text');
    expect((await gotTwo).data).toBe('plain text');
    expect(await quiet).toBe(true);
  });

  it('private channels: a valid signature subscribes, a wrong one gets AuthError 401', async () => {
    const good = track(client(a, app.tenant));
    const channel = await subscribed(good, 'private-invoices');
    const got = next(channel, 'paid');
    await serverSdk(b, app.tenant).trigger('private-invoices', 'paid', { n: 1 });
    expect((await got).data).toEqual({ n: 1 });

    const forger = track(client(a, app.tenant, { secret: 'not-the-tenant-secret-at-all' }));
    await expect(subscribed(forger, 'private-invoices')).rejects.toMatchObject({ data: { type: 'AuthError', status: 401 } });
  });

  it('encrypted channels: the SDK encrypts, the client decrypts, the server relays opaquely', async () => {
    const c = track(client(a, app.tenant));
    const channel = await subscribed(c, 'private-encrypted-vault');
    const got = next(channel, 'secret');
    await serverSdk(b, app.tenant).trigger('private-encrypted-vault', 'secret', { pin: '0000' });
    expect((await got).data).toEqual({ pin: '0000' });
  });

  it('cache channels: cache_miss first, then the last triggered event for later subscribers', async () => {
    const name = `cache-prices-${instances}`;
    const first = track(client(a, app.tenant));
    await connected(first);
    const ch = first.subscribe(name);
    const miss = next(ch, 'pusher:cache_miss');
    await next(ch, 'pusher:subscription_succeeded');
    await miss;
    await serverSdk(b, app.tenant).trigger(name, 'greeting', { hello: 'world' });
    const later = track(client(b, app.tenant));
    await connected(later);
    const laterCh = later.subscribe(name);
    const noMiss = silence(laterCh, 'pusher:cache_miss', 600);
    expect((await next(laterCh, 'greeting')).data).toEqual({ hello: 'world' });
    expect(await noMiss).toBe(true);
    const info = await serverSdk(a, app.tenant).get({ path: `/channels/${name}`, params: { info: 'cache' } });
    expect(await info.json()).toMatchObject({ occupied: true, cache: { data: '{"hello":"world"}', ttl: expect.any(Number) } });
  });

  it('presence: members, member_added on the first connection of a user, member_removed on the last, no duplicates', async () => {
    const room = `presence-room-${instances}`;
    const alice = track(client(a, app.tenant, { presence: { user_id: 'alice', user_info: { name: 'Alice' } } }));
    const aliceChannel = await subscribed(alice, room);
    expect(aliceChannel.members.count).toBe(1);
    expect(aliceChannel.members.me).toEqual({ id: 'alice', info: { name: 'Alice' } });

    const added = next(aliceChannel, 'pusher:member_added');
    const bob = track(client(b, app.tenant, { presence: { user_id: 'bob', user_info: { name: 'Bob' } } }));
    const bobChannel = await subscribed(bob, room);
    expect((await added).data).toEqual({ id: 'bob', info: { name: 'Bob' } });
    expect(bobChannel.members.count).toBe(2);
    expect(bobChannel.members.get('alice')).toEqual({ id: 'alice', info: { name: 'Alice' } });

    // Bob's second tab: no second member_added, count stays 2.
    const noDuplicate = silence(aliceChannel, 'pusher:member_added', 600);
    const bobAgain = track(client(a, app.tenant, { presence: { user_id: 'bob', user_info: { name: 'Bob' } } }));
    expect((await subscribed(bobAgain, room)).members.count).toBe(2);
    expect(await noDuplicate).toBe(true);

    const users = async () => (await (await serverSdk(a, app.tenant).get({ path: `/channels/${room}/users` })).json()).users;
    expect((await users()).map((u: { id: string }) => u.id).sort()).toEqual(['alice', 'bob']);

    // Closing one of Bob's tabs removes nobody; closing the last removes him.
    const noRemoval = silence(aliceChannel, 'pusher:member_removed', 600);
    bob.disconnect();
    expect(await noRemoval).toBe(true);
    const removed = next(aliceChannel, 'pusher:member_removed');
    bobAgain.disconnect();
    expect((await removed).data).toEqual({ id: 'bob', info: { name: 'Bob' } });
    await waitFor(async () => (await users()).length === 1, 5_000);
  });

  it('client events: delivered to others on private and presence channels (with user_id), never echoed', async () => {
    const room = `presence-chat-${instances}`;
    const alice = track(client(a, app.tenant, { presence: { user_id: 'alice' } }));
    const bob = track(client(b, app.tenant, { presence: { user_id: 'bob' } }));
    const [aliceCh, bobCh] = [await subscribed(alice, room), await subscribed(bob, room)];
    const toBob = next(bobCh, 'client-typing');
    const noEcho = silence(aliceCh, 'client-typing');
    expect(aliceCh.trigger('client-typing', { typing: true })).toBe(true);
    const { data, meta } = await toBob;
    expect(data).toEqual({ typing: true });
    expect(meta).toEqual({ user_id: 'alice' });
    expect(await noEcho).toBe(true);

    const privA = await subscribed(alice, 'private-pair');
    const privB = await subscribed(bob, 'private-pair');
    const got = next(privB, 'client-ping');
    privA.trigger('client-ping', 'hi');
    expect((await got).data).toBe('hi');
  });

  it('client events are refused with 4301 when the app has not enabled them, and reach nobody', async () => {
    const closed = await createPusherApp(a);
    const alice = track(client(a, closed.tenant));
    const bob = track(client(b, closed.tenant));
    const [aliceCh, bobCh] = [await subscribed(alice, 'private-x'), await subscribed(bob, 'private-x')];
    const refused = next(alice.connection, 'error');
    const nothing = silence(bobCh, 'client-x');
    aliceCh.trigger('client-x', {});
    expect((await refused).data).toMatchObject({ type: 'PusherError', data: { code: 4301 } });
    expect(await nothing).toBe(true);
  });

  it('signin, sendToUser on every instance, watchlist online/offline, and terminate_connections', async () => {
    const carol = track(client(a, app.tenant, { user: { id: 'carol', watchlist: ['dave'] } }));
    await connected(carol);
    const offline = next(carol.user.watchlist, 'offline');
    const signedIn = next(carol.connection, 'message');
    carol.signin();
    await signedIn;
    expect((await offline).data).toEqual({ name: 'offline', user_ids: ['dave'] });

    const online = next(carol.user.watchlist, 'online');
    const dave = track(client(b, app.tenant, { user: { id: 'dave' } }));
    await connected(dave);
    dave.signin();
    expect((await online).data).toEqual({ name: 'online', user_ids: ['dave'] });

    // Wait for pusher-js to subscribe to #server-to-user-carol after signin_success.
    await waitFor(() => (carol.user as any).serverToUserChannel?.subscribed === true, 5_000);
    const personal = new Promise((resolve) => carol.user.bind('invoice-ready', resolve));
    await serverSdk(b, app.tenant).sendToUser('carol', 'invoice-ready', { id: 7 });
    expect(await personal).toEqual({ id: 7 });

    const wentOffline = next(carol.user.watchlist, 'offline');
    const terminated = next(dave.connection, 'error');
    await serverSdk(a, app.tenant).terminateUserConnections('dave');
    expect((await terminated).data).toMatchObject({ data: { code: 4009 } });
    await disconnected(dave);
    expect((await wentOffline).data).toEqual({ name: 'offline', user_ids: ['dave'] });
  });

  it('an event published to several users reaches each on their own #server-to-user channel', async () => {
    const erin = track(client(a, app.tenant, { user: { id: 'erin' } }));
    const frank = track(client(b, app.tenant, { user: { id: 'frank' } }));
    for (const c of [erin, frank]) {
      await connected(c);
      c.signin();
    }
    await waitFor(() => [erin, frank].every((c) => (c.user as any).serverToUserChannel?.subscribed === true), 5_000);
    const toErin = new Promise((resolve) => erin.user.bind('shared-notice', resolve));
    const toFrank = new Promise((resolve) => frank.user.bind('shared-notice', resolve));
    a.app.get(RealtimeHub).publishToUsers(app.tenant.id, ['erin', 'frank'], { name: 'shared-notice', dataJson: JSON.stringify({ n: 1 }) });
    expect(await toErin).toEqual({ n: 1 });
    expect(await toFrank).toEqual({ n: 1 });
  });

  it('channel info across the cluster: GET channels, channel, users, and trigger info', async () => {
    const sdk = serverSdk(a, app.tenant);
    const room = `presence-info-${instances}`;
    const c1 = track(client(a, app.tenant, { presence: { user_id: 'u1' } }));
    const c2 = track(client(b, app.tenant, { presence: { user_id: 'u2' } }));
    const c3 = track(client(b, app.tenant, { presence: { user_id: 'u2' } }));
    for (const c of [c1, c2, c3]) await subscribed(c, room);
    await subscribed(c1, `news-${instances}`);
    await subscribed(c2, `news-${instances}`);

    const one = await (await sdk.get({ path: `/channels/${room}`, params: { info: 'user_count,subscription_count' } })).json();
    expect(one).toEqual({ occupied: true, user_count: 2, subscription_count: 3 });
    const presenceOnly = await (await sdk.get({ path: '/channels', params: { filter_by_prefix: 'presence-info', info: 'user_count' } })).json();
    expect(presenceOnly.channels[room]).toEqual({ user_count: 2 });
    expect(Object.keys(presenceOnly.channels).every((n) => n.startsWith('presence-info'))).toBe(true);
    const all = await (await sdk.get({ path: '/channels', params: { info: 'subscription_count' } })).json();
    expect(all.channels[`news-${instances}`]).toEqual({ subscription_count: 2 });
    const triggered = await (await sdk.trigger([`news-${instances}`, room], 'e', '{}', { info: 'subscription_count,user_count' })).json();
    expect(triggered.channels[`news-${instances}`]).toEqual({ subscription_count: 2 });
    expect(triggered.channels[room]).toEqual({ subscription_count: 3, user_count: 2 });

    for (const c of [c1, c2, c3]) c.disconnect();
    await waitFor(async () => (await (await sdk.get({ path: `/channels/${room}` })).json()).occupied === false, 5_000);
  });
});

describe('Pusher HTTP API and handshake: refusals and limits', () => {
  let t: TestApp;
  let app: PusherApp;
  beforeAll(async () => {
    t = await startTestApp();
    app = await createPusherApp(t);
  });
  afterAll(() => t.close());

  const status = async (p: Promise<unknown>) => {
    try {
      await p;
      return 200;
    } catch (e) {
      return (e as { status?: number }).status;
    }
  };

  it('refuses a wrong secret (401) and does not deliver', async () => {
    const c = client(t, app.tenant);
    const channel = await subscribed(c, 'guarded');
    const nothing = silence(channel, 'x');
    const forged = serverSdk(t, { ...app.tenant, secret: 'wrong-secret-wrong-secret' } as never);
    expect(await status(forged.trigger('guarded', 'x', {}))).toBe(401);
    expect(await nothing).toBe(true);
    c.disconnect();
  });

  it('answers 404 for an unknown app and 4001 to a client with an unknown key', async () => {
    const unknownApp = serverSdk(t, { ...app.tenant, appId: '999999999999' } as never);
    expect(await status(unknownApp.trigger('c', 'e', {}))).toBe(404);
    const c = client(t, app.tenant, {}, 'no-such-key-0000');
    const failed = next(c.connection, 'error');
    expect((await failed).data).toMatchObject({ type: 'WebSocketError', error: { type: 'PusherError', data: { code: 4001 } } });
    await disconnected(c);
    c.disconnect();
  });

  it('enforces payload (413), channel count, channel name, event name and batch size (400) limits', async () => {
    const sdk = serverSdk(t, app.tenant);
    expect(await status(sdk.trigger('c', 'big', 'x'.repeat(10_241)))).toBe(413);
    // The SDK checks some limits itself; sdk.post sends what it is given, signed, so the server's checks are what is tested.
    const post = (path: string, body: unknown) => status(sdk.post({ path, body } as never));
    expect(await post('/events', { name: 'e', data: '{}', channels: Array.from({ length: 101 }, (_, i) => `c${i}`) })).toBe(400);
    expect(await post('/events', { name: 'e', data: '{}', channels: ['bad name!'] })).toBe(400);
    expect(await post('/events', { name: 'e', data: '{}', channel: 'c'.repeat(201) })).toBe(400);
    expect(await post('/events', { name: 'e'.repeat(201), data: '{}', channel: 'c' })).toBe(400);
    expect(await post('/events', { name: 'e', channel: 'c' })).toBe(400);
    const batch = Array.from({ length: 11 }, () => ({ channel: 'c', name: 'e', data: '{}' }));
    expect(await post('/batch_events', { batch })).toBe(400);
    expect(await post('/batch_events', { batch: [{ channels: ['a', 'b'], name: 'e', data: '{}' }] })).toBe(400);
    expect(await status(sdk.get({ path: '/channels', params: { info: 'user_count' } }))).toBe(400);
    expect(await status(sdk.get({ path: '/channels/public-one/users' }))).toBe(400);
  });

  it('delivers a batch', async () => {
    const c = client(t, app.tenant);
    const ch = await subscribed(c, 'batched');
    const got: unknown[] = [];
    ch.bind('e', (d: unknown) => got.push(d));
    await serverSdk(t, app.tenant).triggerBatch([1, 2, 3].map((n) => ({ channel: 'batched', name: 'e', data: { n } })));
    await waitFor(() => got.length === 3);
    expect(got).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    c.disconnect();
  });

  it('accepts the master key as a Bearer token, with scopes and tenant binding checked', async () => {
    const url = `${t.baseUrl}/apps/${app.tenant.appId}/events`;
    const post = (key: string) =>
      fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'e', data: '{}', channel: 'c' }) });
    expect((await post(app.masterKey)).status).toBe(200);
    const other = await createPusherApp(t);
    expect((await post(other.masterKey)).status).toBe(401);
    const readOnly = await t.http.post('/api/auth/api-keys', { name: 'ro', scopes: ['channels:read'], tenantId: app.tenant.id }, { token: app.account.token });
    expect((await post(readOnly.body.key)).status).toBe(403);
  });

  it('refuses connections over the plan quota with 4004', async () => {
    const small = await createPusherApp(t);
    await t.http.patch(`/api/tenants/${small.tenant.id}`, { limits: { maxConnections: 1 } }, { token: small.account.token });
    await new Promise((r) => setTimeout(r, 5_100)); // tenant data is cached for 5 s
    const first = client(t, small.tenant);
    await connected(first);
    const second = client(t, small.tenant);
    expect((await next(second.connection, 'error')).data).toMatchObject({ error: { data: { code: 4004, message: 'Application is over connection quota' } } });
    await disconnected(second);
    first.disconnect();
    second.disconnect();
  });

  it('answers Pusher errors for unknown routes under an app', async () => {
    const res = await serverSdk(t, app.tenant).get({ path: '/nothing-here' }).then((r) => r.status, (e) => e.status);
    expect(res).toBe(404);
  });
});

describe('Pusher HTTP API rate limits and channel authorisation helper', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_TRIGGER_PER_SECOND: '5', RATE_LIMIT_CHANNEL_INFO_PER_MINUTE: '3' });
  });
  afterAll(() => t.close());

  it('answers 429 with Retry-After past the burst, per tenant, with rate-limit headers on every answer', async () => {
    const busy = await createPusherApp(t);
    const calm = await createPusherApp(t);
    const trigger = (p: PusherApp) =>
      fetch(`${t.baseUrl}/apps/${p.tenant.appId}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.masterKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'e', data: '{}', channel: 'c' }),
      });
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await trigger(busy));
    const refused = answers.filter((r) => r.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused[0].headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await refused[0].json()).toEqual({ error: 'Rate limit exceeded', code: 429 });
    expect(answers[0].status).toBe(200);
    expect(answers[0].headers.get('x-ratelimit-limit')).toBe('1000');
    expect(answers[0].headers.get('x-ratelimit-remaining')).toMatch(/^\d+$/);
    // Another tenant has its own counters.
    expect((await trigger(calm)).status).toBe(200);
    // Channel info has a per-minute budget of its own (3 here).
    const sdk = serverSdk(t, busy.tenant);
    const infos = [];
    for (let i = 0; i < 5; i++) infos.push(await sdk.get({ path: '/channels' }).then((r) => r.status, (e) => e.status));
    expect(infos.filter((s) => s === 429).length).toBeGreaterThanOrEqual(2);
  });

  it('POST /api/tenants/:id/channel-auth signs subscriptions the official client accepts, for the owner only', async () => {
    const p = await createPusherApp(t);
    const c = new PusherClient(p.tenant.key, {
      cluster: 'mt1',
      wsHost: '127.0.0.1',
      wsPort: portOf(t),
      forceTLS: false,
      enabledTransports: ['ws'],
      channelAuthorization: {
        endpoint: 'unused',
        transport: 'ajax',
        customHandler: ({ socketId, channelName }: { socketId: string; channelName: string }, cb: (e: Error | null, d: any) => void) => {
          const body = { socket_id: socketId, channel_name: channelName, channel_data: JSON.stringify({ user_id: 'u9', user_info: { n: 1 } }) };
          t.http.post(`/api/tenants/${p.tenant.id}/channel-auth`, body, { apiKey: p.masterKey }).then(
            (r) => cb(null, r.body),
            (e: Error) => cb(e, null),
          );
        },
      },
    } as any);
    const channel = await subscribed(c, 'presence-helped');
    expect(channel.members.me).toEqual({ id: 'u9', info: { n: 1 } });
    c.disconnect();

    const stranger = await createPusherApp(t);
    const body = { socket_id: '1.2', channel_name: 'private-x' };
    const refused = await t.http.post(`/api/tenants/${p.tenant.id}/channel-auth`, body, { apiKey: stranger.masterKey });
    expect(refused.status).toBe(404);
    const byOwner = await t.http.post(`/api/tenants/${p.tenant.id}/channel-auth`, body, { token: p.account.token });
    expect(byOwner.body.auth).toMatch(new RegExp(`^${p.tenant.key}:[0-9a-f]{64}$`));
    expect((await t.http.post(`/api/tenants/${p.tenant.id}/channel-auth`, { ...body, channel_name: 'public' }, { token: p.account.token })).status).toBe(400);
    expect((await t.http.post(`/api/tenants/${p.tenant.id}/channel-auth`, { ...body, channel_name: 'presence-x' }, { token: p.account.token })).status).toBe(400);
  });
});

describe('Pusher handshake refusals, per-tenant limits and subscription counts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  /** The first frame and the close code a raw client gets for a handshake URL. */
  const handshake = (query: string, key: string) =>
    new Promise<{ frame: any; code: number }>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${portOf(t)}/app/${key}${query}`);
      let frame: any;
      ws.on('message', (data) => (frame ??= JSON.parse(data.toString())));
      ws.on('close', (code) => resolve({ frame, code }));
      ws.on('error', reject);
    });

  it('closes bad or missing protocol versions with 4006/4007/4008 after a pusher:error, and a disabled app with 4003', async () => {
    const p = await createPusherApp(t);
    expect(await handshake('?protocol=abc', p.tenant.key)).toEqual({ frame: { event: 'pusher:error', data: { message: 'Invalid version string format', code: 4006 } }, code: 4006 });
    expect((await handshake('?protocol=3', p.tenant.key)).code).toBe(4007);
    expect(await handshake('', p.tenant.key)).toEqual({ frame: { event: 'pusher:error', data: { message: 'No protocol version supplied', code: 4008 } }, code: 4008 });
    const established = await new Promise<any>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${portOf(t)}/app/${p.tenant.key}?protocol=7&client=js&version=8.6.0&flash=false`);
      ws.once('message', (data) => {
        resolve(JSON.parse(data.toString()));
        ws.close();
      });
    });
    expect(established.event).toBe('pusher:connection_established');
    expect(JSON.parse(established.data)).toEqual({ socket_id: expect.stringMatching(/^\d+\.\d+$/), activity_timeout: 120 });

    const disabled = await createPusherApp(t, { enabled: false });
    expect(await handshake('?protocol=7', disabled.tenant.key)).toEqual({ frame: { event: 'pusher:error', data: { message: 'Application is disabled', code: 4003 } }, code: 4003 });
  });

  it('applies a tenant\'s own event limits: larger data, smaller batches', async () => {
    const p = await createPusherApp(t, { limits: { maxEventDataBytes: 20_000, maxBatchEvents: 2, maxChannelsPerTrigger: 3 } });
    const sdk = serverSdk(t, p.tenant);
    const ok = (x: Promise<unknown>) => x.then(() => 200, (e) => e.status);
    expect(await ok(sdk.trigger('c', 'e', 'x'.repeat(15_000)))).toBe(200);
    expect(await ok(sdk.trigger('c', 'e', 'x'.repeat(20_001)))).toBe(413);
    expect(await ok(sdk.trigger(['a', 'b', 'c', 'd'], 'e', '{}'))).toBe(400);
    expect(await ok(sdk.triggerBatch([1, 2, 3].map(() => ({ channel: 'c', name: 'e', data: '{}' }))))).toBe(400);
    expect(await ok(sdk.triggerBatch([1, 2].map(() => ({ channel: 'c', name: 'e', data: '{}' }))))).toBe(200);
  });

  it('refuses a new user in a full presence channel with LimitReached 4100, but not another tab of a present user', async () => {
    const p = await createPusherApp(t, { limits: { maxPresenceMembers: 2 } });
    const join = (user: string) => client(t, p.tenant, { presence: { user_id: user } });
    const [u1, u2, u2again, u3] = [join('u1'), join('u2'), join('u2'), join('u3')];
    await subscribed(u1, 'presence-small');
    await subscribed(u2, 'presence-small');
    expect((await subscribed(u2again, 'presence-small')).members.count).toBe(2);
    await expect(subscribed(u3, 'presence-small')).rejects.toMatchObject({ data: { type: 'LimitReached', status: 4100 } });
    for (const c of [u1, u2, u2again, u3]) c.disconnect();
  });

  it('limits client events to 10 per second per connection (4301), without closing the connection', async () => {
    const p = await createPusherApp(t, { settings: { clientEventsEnabled: true } });
    const [sender, reader] = [client(t, p.tenant), client(t, p.tenant)];
    const [out, inbox] = [await subscribed(sender, 'private-burst'), await subscribed(reader, 'private-burst')];
    const got: unknown[] = [];
    inbox.bind('client-n', (d: unknown) => got.push(d));
    const refused = next(sender.connection, 'error');
    for (let i = 0; i < 15; i++) out.trigger('client-n', { i });
    expect((await refused).data).toMatchObject({ type: 'PusherError', data: { code: 4301, message: expect.stringMatching(/rate limit/) } });
    await new Promise((r) => setTimeout(r, 500));
    expect(got.length).toBeGreaterThanOrEqual(5);
    expect(got.length).toBeLessThanOrEqual(10);
    expect(sender.connection.state).toBe('connected');
    sender.disconnect();
    reader.disconnect();
  });

  it('sends pusher:subscription_count to subscribers when the app enables it, and refuses over-long channel names', async () => {
    const p = await createPusherApp(t, { settings: { subscriptionCountEnabled: true } });
    const first = client(t, p.tenant);
    const channel = await subscribed(first, 'counted');
    await waitFor(() => channel.subscriptionCount === 1);
    const second = client(t, p.tenant);
    await subscribed(second, 'counted');
    await waitFor(() => channel.subscriptionCount === 2);
    second.disconnect();
    await waitFor(() => channel.subscriptionCount === 1);
    await expect(subscribed(first, `x${'y'.repeat(164)}`)).rejects.toMatchObject({ data: { type: 'LimitReached', status: 4009 } });
    first.disconnect();
  });
});
