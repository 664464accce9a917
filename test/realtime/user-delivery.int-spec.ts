import { RealtimeHub } from '../../src/realtime/hub/realtime-hub.service';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { connectEndUser, createRealtimeTenant, eventually } from './support/realtime-fixtures';

/**
 * User-addressed delivery (notifications, server-to-user) and termination: every connection of the
 * user, on every instance, and nobody else's — two instances sharing Redis when there is Redis.
 */
describe('events addressed to one user', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    if (hasRedis()) [a, b] = await Promise.all([startTestApp(), startTestApp()]);
    else b = a = await startTestApp({ REDIS_URL: '' });
  });
  afterAll(async () => {
    await a.close();
    if (b !== a) await b.close();
  });

  it('reach every connection of that user on every instance, in seed 004 shape, and no one else', async () => {
    const rt = await createRealtimeTenant(a.http);
    const other = await createRealtimeTenant(a.http);
    const tabOnA = await connectEndUser(a.baseUrl, rt.tenant, 'alice');
    const tabOnB = await connectEndUser(b.baseUrl, rt.tenant, 'alice');
    const bob = await connectEndUser(b.baseUrl, rt.tenant, 'bob');
    const aliceOfOtherTenant = await connectEndUser(b.baseUrl, other.tenant, 'alice');
    a.app.get(RealtimeHub).publishToUser(rt.tenant.id, 'alice', {
      name: 'notification',
      dataJson: JSON.stringify({ message: 'New comment on your post', level: 'info' }),
    });
    const expected = { type: 'notification', data: { message: 'New comment on your post', level: 'info' } };
    expect(await tabOnA.next('notification')).toEqual(expected);
    expect(await tabOnB.next('notification')).toEqual(expected);
    expect(await bob.receivesNothing((f) => f.type === 'notification')).toBe(true);
    expect(await aliceOfOtherTenant.receivesNothing((f) => f.type === 'notification')).toBe(true);
    await Promise.all([tabOnA, tabOnB, bob, aliceOfOtherTenant].map((c) => c.close()));
  });

  it('publishToUsers reaches every connection of each named user once, on every instance, and no one else', async () => {
    const rt = await createRealtimeTenant(a.http);
    const other = await createRealtimeTenant(a.http);
    const aliceOnA = await connectEndUser(a.baseUrl, rt.tenant, 'alice');
    const aliceOnB = await connectEndUser(b.baseUrl, rt.tenant, 'alice');
    const bob = await connectEndUser(a.baseUrl, rt.tenant, 'bob');
    const carol = await connectEndUser(b.baseUrl, rt.tenant, 'carol');
    const aliceOfOtherTenant = await connectEndUser(a.baseUrl, other.tenant, 'alice');
    a.app.get(RealtimeHub).publishToUsers(rt.tenant.id, ['alice', 'bob', 'nobody-connected'], { name: 'notification', dataJson: '{"message":"room renamed"}' });
    const expected = { type: 'notification', data: { message: 'room renamed' } };
    for (const tab of [aliceOnA, aliceOnB, bob]) expect(await tab.next('notification')).toEqual(expected);
    expect(await carol.receivesNothing((f) => f.type === 'notification')).toBe(true);
    expect(await aliceOfOtherTenant.receivesNothing((f) => f.type === 'notification')).toBe(true);
    for (const tab of [aliceOnA, aliceOnB, bob]) expect(tab.frames.filter((f) => f.type === 'notification')).toHaveLength(1);
    await Promise.all([aliceOnA, aliceOnB, bob, carol, aliceOfOtherTenant].map((c) => c.close()));
  });

  it('terminateUser closes the user\'s connections on every instance with 4009, and only theirs', async () => {
    const rt = await createRealtimeTenant(a.http);
    const tabOnA = await connectEndUser(a.baseUrl, rt.tenant, 'mallory');
    const tabOnB = await connectEndUser(b.baseUrl, rt.tenant, 'mallory');
    const bystander = await connectEndUser(b.baseUrl, rt.tenant, 'carol');
    b.app.get(RealtimeHub).terminateUser(rt.tenant.id, 'mallory');
    expect((await tabOnA.closed).code).toBe(4009);
    expect((await tabOnB.closed).code).toBe(4009);
    expect((await bystander.request({ type: 'ping' }, 'pong')).type).toBe('pong');
    // A user that reconnects is bound again and reachable.
    const back = await connectEndUser(a.baseUrl, rt.tenant, 'mallory');
    expect(
      await eventually(async () => {
        b.app.get(RealtimeHub).publishToUser(rt.tenant.id, 'mallory', { name: 'status_update', dataJson: '{"status":"back"}' });
        return back.frames.some((f) => f.type === 'status_update');
      }, 3_000),
    ).toBe(true);
    await Promise.all([back, bystander].map((c) => c.close()));
  });

  it('an event published to the user just before terminateUser arrives before the close', async () => {
    const rt = await createRealtimeTenant(a.http);
    const tab = await connectEndUser(a.baseUrl, rt.tenant, 'dave');
    const hub = a.app.get(RealtimeHub);
    // Same turn: the event is still in the write coalescer when the dialect closes the socket.
    hub.publishToUser(rt.tenant.id, 'dave', { name: 'notification', dataJson: '{"message":"last"}' });
    hub.terminateUser(rt.tenant.id, 'dave');
    expect((await tab.closed).code).toBe(4009);
    expect(tab.frames.filter((f) => f.type === 'notification')).toEqual([{ type: 'notification', data: { message: 'last' } }]);
  });
});
