import { RealtimeLifecycle } from '../../src/realtime/realtime-lifecycle.service';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { connectEndUser, createRealtimeTenant, eventually, publish, RealtimeTenant, subscribe } from './support/realtime-fixtures';
import { TestWsClient } from './support/ws-client';

/** Short heartbeats so that a dead instance is swept in about two seconds instead of twenty. */
const CLUSTER_ENV = { REALTIME_HEARTBEAT_INTERVAL_MS: '250', REALTIME_INSTANCE_TTL_MS: '2000' };

// Scale-out needs Redis; CI always has it (global setup fails without it there).
(hasRedis() ? describe : describe.skip)('scale-out over Redis: several app instances in one process', () => {
  let a: TestApp;
  let b: TestApp;
  let rt: RealtimeTenant;
  const clients: TestWsClient[] = [];
  const track = (c: TestWsClient) => (clients.push(c), c);
  const info = async (app: TestApp, channel: string) => (await app.http.get(`/api/channels/${channel}`, { apiKey: rt.serverKey })).body.data;
  const tenantConnections = async (app: TestApp) => (await app.http.get('/api/channels', { apiKey: rt.serverKey })).body.data.connections;
  const presence = { channels: ['presence-*'] };

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApp(CLUSTER_ENV), startTestApp(CLUSTER_ENV)]);
    rt = await createRealtimeTenant(a.http);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  it('a client on one instance receives what is published on the other', async () => {
    const onA = track(await connectEndUser(a.baseUrl, rt.tenant, 'reader'));
    await subscribe(onA, 'orders');
    expect((await publish(b.http, rt.serverKey, 'orders', 'status_update', { status: 'completed' })).status).toBe(200);
    expect(await onA.next('status_update')).toEqual({ type: 'status_update', channel: 'orders', data: { status: 'completed' } });
  });

  it('broadcasts reach the tenant on every instance, and only that tenant', async () => {
    const open = await createRealtimeTenant(a.http, { settings: { endUserPublishEnabled: true } });
    const onA = track(await connectEndUser(a.baseUrl, open.tenant, 'x'));
    const onB = track(await connectEndUser(b.baseUrl, open.tenant, 'y'));
    const otherTenantOnB = track(await connectEndUser(b.baseUrl, rt.tenant, 'z'));
    onA.send({ type: 'broadcast', payload: 'everyone' });
    for (const c of [onA, onB]) expect(await c.next('broadcast')).toMatchObject({ payload: 'everyone', from: 'x' });
    expect(await otherTenantOnB.receivesNothing((f) => f.type === 'broadcast')).toBe(true);
  });

  it('another tenant on the other instance never receives the event, even on the same channel name', async () => {
    const other = await createRealtimeTenant(a.http);
    const mine = track(await connectEndUser(a.baseUrl, rt.tenant, 'u'));
    const theirs = track(await connectEndUser(b.baseUrl, other.tenant, 'u'));
    await subscribe(mine, 'same');
    await subscribe(theirs, 'same');
    await publish(b.http, rt.serverKey, 'same', 'notification', { for: 'mine' });
    expect((await mine.next('notification')).data).toEqual({ for: 'mine' });
    expect(await theirs.receivesNothing((f) => f.type === 'notification')).toBe(true);
  });

  it('occupancy and presence are the union of the instances, deduplicated per user', async () => {
    const observer = track(await connectEndUser(a.baseUrl, rt.tenant, 'observer', presence));
    await subscribe(observer, 'presence-union');
    const xOnA = track(await connectEndUser(a.baseUrl, rt.tenant, 'x', presence));
    const xOnB = track(await connectEndUser(b.baseUrl, rt.tenant, 'x', presence));
    const yOnB = track(await connectEndUser(b.baseUrl, rt.tenant, 'y', presence));
    await subscribe(xOnA, 'presence-union');
    const seenByX = await subscribe(xOnB, 'presence-union');
    expect(seenByX.data.presence.count).toBe(2);
    await subscribe(yOnB, 'presence-union');

    for (const app of [a, b]) {
      const detail = await info(app, 'presence-union');
      expect(detail).toMatchObject({ subscriptionCount: 4, userCount: 3, occupied: true });
      expect(detail.members.map((m: { userId: string }) => m.userId).sort()).toEqual(['observer', 'x', 'y']);
    }
    await observer.next((f) => f.type === 'member_added' && f.data.userId === 'y');
    expect(observer.frames.filter((f) => f.type === 'member_added').map((f) => f.data.userId)).toEqual(['x', 'y']);

    // x leaves instance A but is still on B: no member_removed; then leaves B too.
    await xOnA.close();
    expect(await eventually(async () => (await info(b, 'presence-union')).subscriptionCount === 3, 3_000)).toBe(true);
    await xOnB.close();
    expect(await observer.next('member_removed')).toMatchObject({ data: { userId: 'x' } });
    expect(observer.frames.filter((f) => f.type === 'member_removed')).toHaveLength(1);
    expect(await info(a, 'presence-union')).toMatchObject({ subscriptionCount: 2, userCount: 2 });
  });

  it('an instance killed without cleanup is swept by the others: true counts well within 30 s', async () => {
    const c = await startTestApp(CLUSTER_ENV);
    try {
      const observer = track(await connectEndUser(a.baseUrl, rt.tenant, 'watcher', presence));
      await subscribe(observer, 'presence-crash');
      await subscribe(observer, 'crash-news');
      const onC = [
        await connectEndUser(c.baseUrl, rt.tenant, 'doomed', presence),
        await connectEndUser(c.baseUrl, rt.tenant, 'doomed', presence),
        await connectEndUser(c.baseUrl, rt.tenant, 'also-on-a', presence),
      ];
      const survivor = track(await connectEndUser(b.baseUrl, rt.tenant, 'also-on-a', presence));
      await subscribe(survivor, 'presence-crash');
      for (const client of onC) {
        await subscribe(client, 'presence-crash');
        await subscribe(client, 'crash-news');
      }
      const before = await tenantConnections(a);
      expect(await info(a, 'presence-crash')).toMatchObject({ subscriptionCount: 5, userCount: 3 });
      expect((await info(b, 'crash-news')).subscriptionCount).toBe(4);

      // Kill C: no more heartbeats or Redis writes, sockets dropped, nothing cleaned up.
      c.app.get(RealtimeLifecycle).abandon();
      const killedAt = Date.now();
      await Promise.all(onC.map((client) => client.closed));
      // Right after the kill, the cluster still counts C's entries...
      expect((await info(a, 'presence-crash')).subscriptionCount).toBe(5);
      // ...until the others sweep them.
      expect(await eventually(async () => (await info(a, 'presence-crash')).subscriptionCount === 2, 30_000, 200)).toBe(true);
      expect(Date.now() - killedAt).toBeLessThan(10_000);
      const detail = await info(b, 'presence-crash');
      expect(detail).toMatchObject({ subscriptionCount: 2, userCount: 2 });
      expect(detail.members.map((m: { userId: string }) => m.userId).sort()).toEqual(['also-on-a', 'watcher']);
      expect((await info(a, 'crash-news')).subscriptionCount).toBe(1);
      expect(await tenantConnections(b)).toBe(before - 3);
      // The member that existed only on C is announced as gone; the one still on B is not.
      expect(await observer.next('member_removed')).toMatchObject({ channel: 'presence-crash', data: { userId: 'doomed' } });
      expect(await observer.receivesNothing((f) => f.type === 'member_removed' && f.data.userId === 'also-on-a')).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('graceful shutdown: clients are told to reconnect and closed with 1012, and the instance\'s presence is removed at once', async () => {
    const d = await startTestApp(CLUSTER_ENV);
    const observer = track(await connectEndUser(a.baseUrl, rt.tenant, 'watcher2', presence));
    await subscribe(observer, 'presence-deploy');
    const onD = await connectEndUser(d.baseUrl, rt.tenant, 'leaving', presence);
    await subscribe(onD, 'presence-deploy');
    expect((await info(a, 'presence-deploy')).userCount).toBe(2);

    const started = Date.now();
    const closing = d.close();
    expect(await onD.next('reconnect')).toEqual({ type: 'reconnect', data: { reason: 'server_restart' } });
    expect((await onD.closed).code).toBe(1012);
    await closing;
    expect(Date.now() - started).toBeLessThan(10_000);
    // Cleaned by the instance itself, not by a sweep two seconds later.
    expect(await info(a, 'presence-deploy')).toMatchObject({ subscriptionCount: 1, userCount: 1 });
    expect(await observer.next('member_removed', 1_000)).toMatchObject({ data: { userId: 'leaving' } });
  });
});
