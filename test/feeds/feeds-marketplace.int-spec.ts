import { createAccount, createApiKey, TestAccount } from '../factories/account.factory';
import { startTestApp, TestApp } from '../support/test-app';
import { createFeed, FEED_TEST_ENV, isolatedPrefix, put } from './support/feed-fixtures';

/** Inactive feeds on a closed port: nothing here should be ingested by any app of the run. */
const QUIET = { url: 'ws://127.0.0.1:9/quiet', isActive: false };

describe('feed marketplace REST (seed 003)', () => {
  let t: TestApp;
  let owner: TestAccount;
  let other: TestAccount;

  beforeAll(async () => {
    t = await startTestApp({ ...FEED_TEST_ENV, REDIS_KEY_PREFIX: isolatedPrefix() });
    [owner, other] = await Promise.all([createAccount(t.http, 'feed-owner'), createAccount(t.http, 'feed-other')]);
  });
  afterAll(() => t.close());

  it('creates a feed with the seed body and answers the seed document', async () => {
    const res = await t.http.post(
      '/api/marketplace/feeds',
      {
        name: 'Multi-Instrument Market Data',
        description: 'Real-time prices for multiple trading pairs',
        url: 'ws://127.0.0.1:9/ws/!ticker@arr',
        category: 'finance',
        isPublic: true,
        isActive: false,
        connectionType: 'websocket',
        enableTopicRouting: true,
        topicField: 's',
        connectionMessages: ['{"method":"SUBSCRIBE","params":["btcusdt@ticker","ethusdt@ticker"],"id":1}'],
      },
      { token: owner.token },
    );
    expect(res.status).toBe(201);
    expect(res.body.success).toBe(true);
    expect(res.body.data).toEqual({
      _id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Multi-Instrument Market Data',
      description: 'Real-time prices for multiple trading pairs',
      url: 'ws://127.0.0.1:9/ws/!ticker@arr',
      category: 'finance',
      isActive: false,
      isVerified: false,
      isPublic: true,
      feedType: 'user',
      userId: owner.id,
      ownerName: 'feed-owner',
      connectionType: 'websocket',
      connectionMessages: ['{"method":"SUBSCRIBE","params":["btcusdt@ticker","ethusdt@ticker"],"id":1}'],
      reconnectionEnabled: true,
      subscriberCount: 0,
      tags: null,
      enableTopicRouting: true,
      topicField: 's',
      topicPrompts: {},
      defaultAIPrompt: null,
      queryInterval: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it.each([
    [{ queryInterval: 7 }, /queryInterval must be one of 5, 10, 30, 60/],
    [{ url: 'https://example.com/stream' }, /ws:\/\/ or wss:\/\//],
    [{ url: 'not a url' }, /absolute URL/],
    [{ connectionMessages: ['{"type": "subscribe"'] }, /connectionMessages\[0\] must be a string holding JSON/],
    [{ connectionMessages: [{ type: 'subscribe' }] }, /connectionMessages/],
    [{ enableTopicRouting: true }, /topicField is required/],
    [{ enableTopicRouting: true, topicField: 'data..path' }, /Invalid topicField/],
    [{ topicField: 'path[-0]' }, /Invalid topicField/],
    [{ connectionType: 'sse' }, /connectionType/],
    [{ isVerified: true }, /should not exist/],
    [{ topicPrompts: { BTC: { systemPrompt: 1 } } }, /topicPrompts.BTC.systemPrompt/],
    [{ name: null }, /name must be a string/],
  ])('refuses %j', async (body, message) => {
    const res = await t.http.post('/api/marketplace/feeds', { name: 'Bad', ...QUIET, ...body }, { token: owner.token });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, data: null, error: { code: 'VALIDATION_ERROR', message: expect.stringMatching(message) } });
  });

  it('lists, ranks and searches public feeds without a credential; private feeds stay hidden', async () => {
    const tag = `tag${Date.now()}`;
    const pub = await createFeed(t.http, owner, { ...QUIET, name: `Public ${tag}`, isPublic: true, tags: [tag], category: 'weather' });
    const popular = await createFeed(t.http, other, { ...QUIET, name: `Popular ${tag}`, isPublic: true, description: `about ${tag}` });
    const priv = await createFeed(t.http, owner, { ...QUIET, name: `Private ${tag}` });
    for (const a of [owner, other]) expect((await t.http.post(`/api/marketplace/subscribe/${popular._id}`, undefined, { token: a.token })).status).toBe(200);

    const all = await t.http.get('/api/marketplace/feeds');
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ success: true, count: all.body.data.length });
    const ids = all.body.data.map((f: { _id: string }) => f._id);
    expect(ids).toEqual(expect.arrayContaining([pub._id, popular._id]));
    expect(ids).not.toContain(priv._id);

    const search = await t.http.get(`/api/marketplace/feeds/search?q=${tag}`);
    expect(search.body.data.map((f: { _id: string }) => f._id)).toEqual([popular._id, pub._id]);
    expect(search.body.count).toBe(2);
    const byCategory = await t.http.get(`/api/marketplace/feeds/search?q=${tag}&category=WEATHER`);
    expect(byCategory.body.data.map((f: { _id: string }) => f._id)).toEqual([pub._id]);
    expect((await t.http.get(`/api/marketplace/feeds/search?q=%25`)).body.data.every((f: { name: string }) => f.name.includes('%'))).toBe(true);

    const top = await t.http.get('/api/marketplace/feeds/popular?limit=100');
    const rank = top.body.data.map((f: { _id: string }) => f._id);
    expect(rank.indexOf(popular._id)).toBeLessThan(rank.indexOf(pub._id));
    expect(top.body.data.find((f: { _id: string }) => f._id === popular._id).subscriberCount).toBe(2);
    expect((await t.http.get('/api/marketplace/feeds/popular?limit=0')).status).toBe(400);
    expect((await t.http.get('/api/marketplace/feeds/popular?limit=1')).body.count).toBe(1);
  });

  it('another account cannot see, change, delete or subscribe to a private feed', async () => {
    const priv = await createFeed(t.http, owner, QUIET);
    const id = priv._id;
    const as = { token: other.token };
    expect((await t.http.get(`/api/marketplace/feeds/${id}`, as)).status).toBe(404);
    expect((await put(t.http, `/api/marketplace/feeds/${id}`, { name: 'Mine now' }, other.token)).status).toBe(404);
    expect((await put(t.http, `/api/marketplace/feeds/${id}/ai-prompt`, { defaultAIPrompt: 'x' }, other.token)).status).toBe(404);
    expect((await t.http.delete(`/api/marketplace/feeds/${id}`, as)).status).toBe(404);
    expect((await t.http.post(`/api/marketplace/subscribe/${id}`, undefined, as)).status).toBe(404);
    expect((await t.http.get(`/api/marketplace/feeds/${id}/status`, as)).status).toBe(404);
    expect((await t.http.get(`/api/marketplace/feeds/${id}/topics`, as)).status).toBe(404);
    expect((await t.http.get(`/api/marketplace/feeds/${id}`)).status).toBe(401);
    expect((await t.http.get('/api/marketplace/feeds/not-a-uuid', { token: owner.token })).status).toBe(404);
    // Unchanged, still the owner's.
    const mine = await t.http.get(`/api/marketplace/feeds/${id}`, { token: owner.token });
    expect(mine.body.data).toMatchObject({ _id: id, name: 'Test feed', userId: owner.id });
  });

  it('only the owner changes or deletes a public feed; others can read and subscribe', async () => {
    const pub = await createFeed(t.http, owner, { ...QUIET, isPublic: true });
    const id = pub._id;
    expect((await t.http.get(`/api/marketplace/feeds/${id}`, { token: other.token })).body.data._id).toBe(id);
    const change = await put(t.http, `/api/marketplace/feeds/${id}`, { name: 'Hijacked' }, other.token);
    expect(change.status).toBe(403);
    expect(change.body.error.code).toBe('AUTHORIZATION_ERROR');
    expect((await t.http.delete(`/api/marketplace/feeds/${id}`, { token: other.token })).status).toBe(403);
    expect((await t.http.post(`/api/marketplace/subscribe/${id}`, undefined, { token: other.token })).status).toBe(200);
    expect((await t.http.get(`/api/marketplace/feeds/${id}`, { token: owner.token })).body.data).toMatchObject({ name: 'Test feed', subscriberCount: 1 });
  });

  it('updates topic prompts, query interval and the AI prompt (owner only)', async () => {
    const feed = await createFeed(t.http, owner, QUIET);
    const topicPrompts = {
      BTCUSDT: { systemPrompt: 'You are a Bitcoin market analyst.', question: 'What are the key price movements?' },
      ETHUSDT: { systemPrompt: 'You are an Ethereum market analyst.', question: 'Analyze the current trend.' },
    };
    const res = await put(t.http, `/api/marketplace/feeds/${feed._id}`, { topicPrompts, queryInterval: 30, enableTopicRouting: true, topicField: 's' }, owner.token);
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ _id: feed._id, topicPrompts, queryInterval: 30, enableTopicRouting: true, topicField: 's' });
    expect((await put(t.http, `/api/marketplace/feeds/${feed._id}`, { queryInterval: 15 }, owner.token)).status).toBe(400);
    expect((await put(t.http, `/api/marketplace/feeds/${feed._id}`, { topicField: '[' }, owner.token)).status).toBe(400);
    // Turning routing off keeps the field; clearing the field while routing is on is refused.
    expect((await put(t.http, `/api/marketplace/feeds/${feed._id}`, { topicField: null }, owner.token)).status).toBe(400);
    expect((await put(t.http, `/api/marketplace/feeds/${feed._id}`, { name: null }, owner.token)).body.error.message).toBe('name must not be null');

    const prompt = 'You are a financial analyst specializing in cryptocurrency markets.';
    const ai = await put(t.http, `/api/marketplace/feeds/${feed._id}/ai-prompt`, { defaultAIPrompt: prompt }, owner.token);
    expect(ai.status).toBe(200);
    expect(ai.body).toEqual({ success: true, data: { _id: feed._id, name: 'Test feed', defaultAIPrompt: prompt } });
    expect((await t.http.get(`/api/marketplace/feeds/${feed._id}`, { token: owner.token })).body.data.defaultAIPrompt).toBe(prompt);

    expect((await t.http.delete(`/api/marketplace/feeds/${feed._id}`, { token: owner.token })).status).toBe(200);
    expect((await t.http.get(`/api/marketplace/feeds/${feed._id}`, { token: owner.token })).status).toBe(404);
  });

  it('subscribes, lists and unsubscribes (seed shapes), idempotently', async () => {
    const account = await createAccount(t.http, 'subscriber');
    const feed = await createFeed(t.http, owner, { ...QUIET, isPublic: true });
    const sub = await t.http.post(`/api/marketplace/subscribe/${feed._id}`, undefined, { token: account.token });
    expect(sub.status).toBe(200);
    expect(sub.body).toMatchObject({
      success: true,
      message: 'Subscribed',
      subscription: { _id: expect.any(String), userId: account.id, feedId: feed._id, subscribedAt: expect.any(String), isActive: true },
    });
    const again = await t.http.post(`/api/marketplace/subscribe/${feed._id}`, undefined, { token: account.token });
    expect(again.body).toMatchObject({ message: 'Already subscribed', subscription: { _id: sub.body.subscription._id } });

    const list = await t.http.get('/api/marketplace/subscriptions', { token: account.token });
    expect(list.body).toMatchObject({ success: true, count: 1, data: [{ feedId: feed._id, feed: { _id: feed._id, subscriberCount: 1 } }] });

    const key = await createApiKey(t.http, account, { scopes: ['websocket:subscribe'] });
    expect((await t.http.get('/api/marketplace/subscriptions', { apiKey: key.key })).body.count).toBe(1);
    // An API key reads and subscribes, but does not create feeds.
    expect((await t.http.post('/api/marketplace/feeds', { name: 'x', ...QUIET }, { apiKey: key.key })).status).toBe(403);

    expect((await t.http.post(`/api/marketplace/unsubscribe/${feed._id}`, undefined, { token: account.token })).body).toEqual({
      success: true,
      data: null,
      message: 'Unsubscribed',
    });
    expect((await t.http.post(`/api/marketplace/unsubscribe/${feed._id}`, undefined, { token: account.token })).status).toBe(404);
    expect((await t.http.get('/api/marketplace/subscriptions', { token: account.token })).body.count).toBe(0);
    expect((await t.http.get(`/api/marketplace/feeds/${feed._id}`, { token: owner.token })).body.data.subscriberCount).toBe(0);
  });

  it('reports status and topics of a feed nobody ingests', async () => {
    const feed = await createFeed(t.http, owner, QUIET);
    const status = await t.http.get(`/api/marketplace/feeds/${feed._id}/status`, { token: owner.token });
    expect(status.body.data).toEqual({
      feedId: feed._id,
      state: 'stopped',
      ingestedBy: null,
      lastMessageAt: null,
      connectedAt: null,
      messagesReceived: 0,
      bytesReceived: 0,
      reconnects: 0,
      oversizedDropped: 0,
      messagesWithoutTopic: 0,
      lastError: null,
      lastErrorAt: null,
    });
    expect((await t.http.get(`/api/marketplace/feeds/${feed._id}/topics`, { token: owner.token })).body).toEqual({ success: true, data: [], count: 0 });
  });
});
