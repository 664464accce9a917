import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import {
  channelAuth,
  connectEndUser,
  connectWithToken,
  createRealtimeTenant,
  eventually,
  publish,
  realtimeModes,
  RealtimeTenant,
  subscribe,
} from './support/realtime-fixtures';
import { TestWsClient } from './support/ws-client';

describe.each(realtimeModes(hasRedis()))('presence, channel authorisation and tenant isolation — %s', (_mode, env) => {
  let t: TestApp;
  let rt: RealtimeTenant;
  const clients: TestWsClient[] = [];
  const track = (c: TestWsClient) => (clients.push(c), c);
  const channelInfo = async (name: string, key = rt.serverKey) => (await t.http.get(`/api/channels/${name}`, { apiKey: key })).body.data;

  beforeAll(async () => {
    t = await startTestApp(env);
    rt = await createRealtimeTenant(t.http);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => t.close());

  it('presence is deduplicated per user: joined on the first connection, left on the last', async () => {
    const claims = { channels: ['presence-room-*'], user_info: { name: 'Alice' } };
    const observer = track(await connectEndUser(t.baseUrl, rt.tenant, 'observer', { channels: ['presence-*'] }));
    const first = await subscribe(observer, 'presence-room-1');
    expect(first.data.presence).toEqual({ count: 1, members: [{ userId: 'observer', userInfo: null }] });

    const tab1 = track(await connectEndUser(t.baseUrl, rt.tenant, 'alice', claims));
    const joined = await subscribe(tab1, 'presence-room-1');
    expect(joined.data.presence.count).toBe(2);
    expect(joined.data.presence.members).toEqual(
      expect.arrayContaining([{ userId: 'observer', userInfo: null }, { userId: 'alice', userInfo: { name: 'Alice' } }]),
    );
    expect(await observer.next('member_added')).toEqual({
      type: 'member_added',
      channel: 'presence-room-1',
      data: { userId: 'alice', userInfo: { name: 'Alice' } },
    });

    const tab2 = track(await connectEndUser(t.baseUrl, rt.tenant, 'alice', claims));
    expect((await subscribe(tab2, 'presence-room-1')).data.presence.count).toBe(2);
    expect(await channelInfo('presence-room-1')).toEqual({
      name: 'presence-room-1',
      occupied: true,
      subscriptionCount: 3,
      userCount: 2,
      members: expect.arrayContaining([{ userId: 'alice', userInfo: { name: 'Alice' } }, { userId: 'observer', userInfo: null }]),
    });

    await tab1.close();
    expect(await eventually(async () => (await channelInfo('presence-room-1')).subscriptionCount === 2, 3_000)).toBe(true);
    expect((await channelInfo('presence-room-1')).userCount).toBe(2);
    expect(observer.frames.filter((f) => f.type === 'member_added' || f.type === 'member_removed')).toHaveLength(1);

    await tab2.close();
    expect(await observer.next('member_removed')).toEqual({ type: 'member_removed', channel: 'presence-room-1', data: { userId: 'alice', userInfo: null } });
    expect(await channelInfo('presence-room-1')).toMatchObject({ subscriptionCount: 1, userCount: 1, members: [{ userId: 'observer', userInfo: null }] });
  });

  it('private channels: the signature of socketId:channel admits, a signature for another socket does not', async () => {
    const a = track(await connectEndUser(t.baseUrl, rt.tenant, 'a'));
    const b = track(await connectEndUser(t.baseUrl, rt.tenant, 'b'));
    const socketA = a.frames[0].data.socketId;
    await subscribe(a, 'private-deals', { auth: channelAuth(rt.tenant, socketA, 'private-deals') });
    const stolen = await b.request({ type: 'subscribe', data: { channel: 'private-deals', auth: channelAuth(rt.tenant, socketA, 'private-deals') } }, 'subscribed');
    expect(stolen).toMatchObject({ type: 'error', code: 'unauthorized', channel: 'private-deals' });
    await publish(t.http, rt.serverKey, 'private-deals', 'notification', { secret: true });
    expect((await a.next('notification')).data).toEqual({ secret: true });
    expect(await b.receivesNothing((f) => f.type === 'notification')).toBe(true);
  });

  it('private channels: a channels glob claim in the tenant JWT admits matching names only', async () => {
    const c = track(await connectEndUser(t.baseUrl, rt.tenant, 'g', { channels: ['private-team-42-*'] }));
    await subscribe(c, 'private-team-42-general');
    expect(await c.request({ type: 'subscribe', data: { channel: 'private-team-43-general' } }, 'subscribed')).toMatchObject({ code: 'unauthorized' });
  });

  it('presence with signed channel data from a server connection (API key)', async () => {
    const c = track(await connectWithToken(t.baseUrl, rt.serverKey));
    const socketId = c.frames[0].data.socketId;
    const channelData = JSON.stringify({ user_id: 'bot-1', user_info: { role: 'bot' } });
    const reply = await subscribe(c, 'presence-ops', { auth: channelAuth(rt.tenant, socketId, 'presence-ops', channelData), channelData });
    expect(reply.data.presence).toEqual({ count: 1, members: [{ userId: 'bot-1', userInfo: { role: 'bot' } }] });
  });

  it('user:<id> channels reach only that user', async () => {
    const alice = track(await connectEndUser(t.baseUrl, rt.tenant, 'alice'));
    await subscribe(alice, 'user:alice');
    expect(await alice.request({ type: 'subscribe', data: { channel: 'user:bob' } }, 'subscribed')).toMatchObject({ code: 'unauthorized' });
    await publish(t.http, rt.serverKey, 'user:alice', 'notification', { for: 'alice' });
    expect((await alice.next('notification')).data).toEqual({ for: 'alice' });
  });

  it('a tenant never receives another tenant\'s events, even on the same channel name', async () => {
    const other = await createRealtimeTenant(t.http);
    const mine = track(await connectEndUser(t.baseUrl, rt.tenant, 'same-user'));
    const theirs = track(await connectEndUser(t.baseUrl, other.tenant, 'same-user'));
    await subscribe(mine, 'shared-name');
    await subscribe(theirs, 'shared-name');
    await publish(t.http, other.serverKey, 'shared-name', 'notification', { tenant: 'other' });
    expect((await theirs.next('notification')).data).toEqual({ tenant: 'other' });
    expect(await mine.receivesNothing((f) => f.type === 'notification')).toBe(true);

    // Nor sees its channels, nor reaches them with its credentials.
    const list = await t.http.get('/api/channels', { apiKey: other.serverKey });
    expect(list.body.data.channels.map((c: { name: string }) => c.name)).toEqual(['shared-name']);
    expect((await t.http.get(`/api/channels?tenant=${rt.tenant.id}`, { apiKey: other.serverKey })).status).toBe(403);
    expect((await t.http.get(`/api/channels?tenant=${rt.tenant.id}`, { token: other.account.token })).status).toBe(404);
    expect((await t.http.post(`/api/channels/shared-name/events?tenant=${rt.tenant.appId}`, { type: 'notification', data: 1 }, { token: other.account.token })).status).toBe(404);
    expect(await mine.receivesNothing((f) => f.type === 'notification', 100)).toBe(true);
  });

  it('GET /api/channels lists occupied channels with counts, filtered by prefix, and the connection count', async () => {
    const fresh = await createRealtimeTenant(t.http);
    const a = track(await connectEndUser(t.baseUrl, fresh.tenant, 'a', { channels: ['presence-*'] }));
    const b = track(await connectEndUser(t.baseUrl, fresh.tenant, 'b'));
    await subscribe(a, 'presence-lobby');
    await subscribe(a, 'news');
    await subscribe(b, 'news');
    const all = await t.http.get('/api/channels', { apiKey: fresh.serverKey });
    expect(all.body).toEqual({
      success: true,
      data: {
        connections: 2,
        channels: [
          { name: 'news', subscriptionCount: 2 },
          { name: 'presence-lobby', subscriptionCount: 1, userCount: 1 },
        ],
      },
    });
    const filtered = await t.http.get(`/api/channels?prefix=presence-&tenant=${fresh.tenant.key}`, { token: fresh.account.token });
    expect(filtered.body.data.channels).toEqual([{ name: 'presence-lobby', subscriptionCount: 1, userCount: 1 }]);
    expect(await channelInfo('empty-one', fresh.serverKey)).toEqual({ name: 'empty-one', subscriptionCount: 0, occupied: false });
    await b.close();
    expect(await eventually(async () => (await t.http.get('/api/channels', { apiKey: fresh.serverKey })).body.data.connections === 1, 3_000)).toBe(true);
  });
});
