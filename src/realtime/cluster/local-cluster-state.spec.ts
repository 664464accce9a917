import { LocalClusterState } from './local-cluster-state';

describe('LocalClusterState', () => {
  it('enforces the connection limit per tenant', async () => {
    const s = new LocalClusterState();
    expect(await s.tryAcquireConnection('t1', 2)).toBe(true);
    expect(await s.tryAcquireConnection('t1', 2)).toBe(true);
    expect(await s.tryAcquireConnection('t1', 2)).toBe(false);
    expect(await s.tryAcquireConnection('t2', 2)).toBe(true);
    await s.changeConnections('t1', -1);
    expect(await s.tryAcquireConnection('t1', 2)).toBe(true);
    expect(await s.connectionCount('t1')).toBe(2);
  });

  it('counts subscriptions and presence users per tenant and channel', async () => {
    const s = new LocalClusterState();
    await s.changeSubscriptions('t1', 'presence-r', 2);
    await s.changeSubscriptions('t1', 'news', 1);
    await s.changeSubscriptions('t2', 'news', 5);
    expect(await s.presenceJoin('t1', 'presence-r', { userId: 'a', userInfo: null })).toBe(true);
    expect(await s.presenceJoin('t1', 'presence-r', { userId: 'a', userInfo: null })).toBe(false);
    expect(await s.channels('t1')).toEqual([
      { name: 'presence-r', subscriptionCount: 2, userCount: 1 },
      { name: 'news', subscriptionCount: 1 },
    ]);
    await s.changeSubscriptions('t1', 'news', -1);
    expect(await s.channel('t1', 'news')).toEqual({ name: 'news', subscriptionCount: 0 });
    expect(await s.presenceLeave('t1', 'presence-r', 'a')).toBe(true);
    expect(await s.presenceLeave('t1', 'presence-r', 'a')).toBe(false);
    expect(await s.presenceMembers('t1', 'presence-r')).toEqual([]);
  });
});
