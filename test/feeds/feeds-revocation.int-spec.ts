import { createAccount, createApiKey, TestAccount } from '../factories/account.factory';
import { connectWithToken } from '../realtime/support/realtime-fixtures';
import { Frame, TestWsClient } from '../realtime/support/ws-client';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { FakeUpstream, fixtureLines, SUBSCRIBE } from './support/fake-upstream';
import { createFeed, FEED_TEST_ENV, isolatedPrefix, put } from './support/feed-fixtures';

const isData = (f: Frame) => f.type === 'feed-data';
const isUnsubscribed = (f: Frame) => f.type === 'unsubscribed';

/** Waits for the server-ended subscription notice, then checks that no data follows it. */
async function endsWithNotice(client: TestWsClient, expected: Record<string, unknown>): Promise<void> {
  const notice = await client.next(isUnsubscribed);
  expect(notice).toEqual({ type: 'unsubscribed', payload: expect.objectContaining(expected) });
  expect(notice.payload.message).toEqual(expect.any(String));
  const at = client.frames.indexOf(notice);
  await new Promise((r) => setTimeout(r, 400));
  expect(client.frames.slice(at + 1).filter(isData)).toEqual([]);
}

/** Data keeps arriving on a client: `n` more feed-data frames within the timeout. */
async function keepsReceiving(client: TestWsClient, n = 3): Promise<void> {
  const before = client.frames.filter(isData).length;
  const deadline = Date.now() + 5_000;
  while (client.frames.filter(isData).length < before + n) {
    if (Date.now() > deadline) throw new Error('data stopped');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const modes: Array<[string, () => Record<string, string>]> = [
  ...(hasRedis() ? [['full (Redis)', () => ({ REDIS_KEY_PREFIX: isolatedPrefix() })] as [string, () => Record<string, string>]] : []),
  ['embedded (no Redis)', () => ({ REDIS_URL: '' })],
];

describe.each(modes)('a feed made private, inactive or deleted ends other accounts\' subscriptions, %s', (_mode, env) => {
  let t: TestApp;
  let owner: TestAccount;
  let other: TestAccount;
  const upstreams: FakeUpstream[] = [];
  const clients: TestWsClient[] = [];
  const connect = async (token: string) => {
    const c = await connectWithToken(t.baseUrl, token);
    clients.push(c);
    return c;
  };
  const upstream = async (name: 'coinbase-ticker' | 'binance-ticker') => {
    const u = await FakeUpstream.start({ frames: fixtureLines(name) });
    upstreams.push(u);
    return u;
  };

  beforeAll(async () => {
    t = await startTestApp({ ...FEED_TEST_ENV, ...env() });
    [owner, other] = await Promise.all([createAccount(t.http, 'revoke-owner'), createAccount(t.http, 'revoke-other')]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(upstreams.splice(0).map((u) => u.close()));
    // Feeds left subscribed would be "needed" by every app on this database (other suites' too).
    const mine = await t.http.get('/api/marketplace/subscriptions', { token: owner.token });
    await Promise.all((mine.body.data as Array<{ feedId: string }>).map((s) => t.http.delete(`/api/marketplace/feeds/${s.feedId}`, { token: owner.token })));
  });
  afterAll(() => t.close());

  it('made private: the other account is unsubscribed live and in the marketplace, and cannot come back; the owner keeps receiving', async () => {
    const up = await upstream('coinbase-ticker');
    const feed = await createFeed(t.http, owner, { url: up.url, isPublic: true, connectionMessages: [SUBSCRIBE['coinbase-ticker']] });
    const theirs = await connect(await createApiKey(t.http, other, { scopes: ['websocket:subscribe'] }).then((k) => k.key));
    const theirJwt = await connect(other.token);
    const mine = await connect(owner.token);
    for (const c of [theirs, theirJwt, mine]) await c.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success');
    for (const account of [owner, other]) {
      expect((await t.http.post(`/api/marketplace/subscribe/${feed._id}`, undefined, { token: account.token })).status).toBe(200);
    }
    expect((await t.http.get(`/api/marketplace/feeds/${feed._id}`, { token: owner.token })).body.data.subscriberCount).toBe(2);
    await Promise.all([theirs, theirJwt, mine].map((c) => c.next(isData)));

    expect((await put(t.http, `/api/marketplace/feeds/${feed._id}`, { isPublic: false }, owner.token)).status).toBe(200);

    const expected = { feedId: feed._id, type: 'feed', reason: 'feed_private' };
    await Promise.all([endsWithNotice(theirs, expected), endsWithNotice(theirJwt, expected)]);
    await keepsReceiving(mine);
    expect(mine.frames.some(isUnsubscribed)).toBe(false);

    // The stored subscription is gone and counted out; the owner's stays.
    expect((await t.http.get('/api/marketplace/subscriptions', { token: other.token })).body.count).toBe(0);
    expect((await t.http.post(`/api/marketplace/unsubscribe/${feed._id}`, undefined, { token: other.token })).status).toBe(404);
    expect((await t.http.get('/api/marketplace/subscriptions', { token: owner.token })).body.data).toEqual([expect.objectContaining({ feedId: feed._id })]);
    expect((await t.http.get(`/api/marketplace/feeds/${feed._id}`, { token: owner.token })).body.data.subscriberCount).toBe(1);

    // And it cannot come back, live or stored.
    expect(await theirs.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success')).toEqual({
      type: 'error',
      code: 'invalid_request',
      message: 'Feed not found',
    });
    expect((await t.http.post(`/api/marketplace/subscribe/${feed._id}`, undefined, { token: other.token })).status).toBe(404);
    expect(await theirs.receivesNothing((f) => isData(f) && theirs.frames.indexOf(f) > theirs.frames.findIndex(isUnsubscribed))).toBe(true);

    // Made public again, the feed does not bring the removed subscription back.
    expect((await put(t.http, `/api/marketplace/feeds/${feed._id}`, { isPublic: true }, owner.token)).status).toBe(200);
    expect((await t.http.get('/api/marketplace/subscriptions', { token: other.token })).body.count).toBe(0);
  });

  it('leaves public feeds alone when something else changes', async () => {
    const up = await upstream('coinbase-ticker');
    const feed = await createFeed(t.http, owner, { url: up.url, isPublic: true, connectionMessages: [SUBSCRIBE['coinbase-ticker']] });
    const theirs = await connect(other.token);
    await theirs.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success');
    expect((await put(t.http, `/api/marketplace/feeds/${feed._id}`, { description: 'still public', isPublic: true }, owner.token)).status).toBe(200);
    await keepsReceiving(theirs);
    expect(theirs.frames.some(isUnsubscribed)).toBe(false);
  });

  it('deactivated: other accounts\' topic subscriptions end and their stored subscriptions go', async () => {
    const up = await upstream('binance-ticker');
    const feed = await createFeed(t.http, owner, {
      url: up.url,
      isPublic: true,
      enableTopicRouting: true,
      topicField: 's',
      connectionMessages: [SUBSCRIBE['binance-ticker']],
    });
    const theirs = await connect(other.token);
    await theirs.request({ type: 'subscribe-topic', payload: { feedId: feed._id, topic: 'BTCUSDT', includeData: true } }, 'subscription-success');
    await theirs.request({ type: 'subscribe-topic', payload: { feedId: feed._id, topic: 'ETHUSDT' } }, 'subscription-success');
    expect((await t.http.post(`/api/marketplace/subscribe/${feed._id}`, undefined, { token: other.token })).status).toBe(200);
    await theirs.next(isData);

    expect((await put(t.http, `/api/marketplace/feeds/${feed._id}`, { isActive: false }, owner.token)).status).toBe(200);
    const first = await theirs.next(isUnsubscribed);
    const second = await theirs.next(isUnsubscribed);
    expect([first, second].map((f) => f.payload).sort((a, b) => a.topic.localeCompare(b.topic))).toEqual([
      expect.objectContaining({ feedId: feed._id, type: 'topic', topic: 'BTCUSDT', reason: 'feed_inactive' }),
      expect.objectContaining({ feedId: feed._id, type: 'topic', topic: 'ETHUSDT', reason: 'feed_inactive' }),
    ]);
    const at = theirs.frames.indexOf(second);
    await new Promise((r) => setTimeout(r, 400));
    expect(theirs.frames.slice(at + 1).filter(isData)).toEqual([]);
    expect((await t.http.get('/api/marketplace/subscriptions', { token: other.token })).body.count).toBe(0);
    expect((await t.http.get(`/api/marketplace/feeds/${feed._id}`, { token: owner.token })).body.data.subscriberCount).toBe(0);
  });

  it('deleted: every live subscriber, the owner included, is told', async () => {
    const up = await upstream('coinbase-ticker');
    const feed = await createFeed(t.http, owner, { url: up.url, isPublic: true, connectionMessages: [SUBSCRIBE['coinbase-ticker']] });
    const theirs = await connect(other.token);
    const mine = await connect(owner.token);
    for (const c of [theirs, mine]) await c.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success');
    await Promise.all([theirs.next(isData), mine.next(isData)]);
    expect((await t.http.delete(`/api/marketplace/feeds/${feed._id}`, { token: owner.token })).status).toBe(200);
    const expected = { feedId: feed._id, type: 'feed', reason: 'feed_deleted' };
    await Promise.all([endsWithNotice(theirs, expected), endsWithNotice(mine, expected)]);
  });
});

// Two instances need Redis; CI always has it.
(hasRedis() ? describe : describe.skip)('a feed made private, across two instances on Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let up: FakeUpstream;
  const clients: TestWsClient[] = [];

  beforeAll(async () => {
    const env = { ...FEED_TEST_ENV, REDIS_KEY_PREFIX: isolatedPrefix() };
    [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
    up = await FakeUpstream.start({ frames: fixtureLines('coinbase-ticker') });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([a.close(), b.close()]);
    await up.close();
  });

  it('ends the other account\'s subscriptions on both instances, whichever one took the change', async () => {
    const owner = await createAccount(a.http, 'revoke-cluster-owner');
    const other = await createAccount(a.http, 'revoke-cluster-other');
    const feed = await createFeed(a.http, owner, { url: up.url, isPublic: true, connectionMessages: [SUBSCRIBE['coinbase-ticker']] });
    const theirsOnA = await connectWithToken(a.baseUrl, other.token);
    const theirsOnB = await connectWithToken(b.baseUrl, other.token);
    const mineOnB = await connectWithToken(b.baseUrl, owner.token);
    clients.push(theirsOnA, theirsOnB, mineOnB);
    for (const c of [theirsOnA, theirsOnB, mineOnB]) await c.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success');
    await Promise.all([theirsOnA, theirsOnB, mineOnB].map((c) => c.next(isData)));

    expect((await put(a.http, `/api/marketplace/feeds/${feed._id}`, { isPublic: false }, owner.token)).status).toBe(200);

    const expected = { feedId: feed._id, type: 'feed', reason: 'feed_private' };
    await Promise.all([endsWithNotice(theirsOnA, expected), endsWithNotice(theirsOnB, expected)]);
    await keepsReceiving(mineOnB);
    expect(mineOnB.frames.some(isUnsubscribed)).toBe(false);
    expect((await theirsOnB.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success')).type).toBe('error');
  });
});
