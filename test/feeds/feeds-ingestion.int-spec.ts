import { FeedsService } from '../../src/modules/feeds/feeds.service';
import { createAccount, createApiKey, TestAccount } from '../factories/account.factory';
import { connectEndUser, connectWithToken, createRealtimeTenant } from '../realtime/support/realtime-fixtures';
import { Frame, TestWsClient } from '../realtime/support/ws-client';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { FakeUpstream, FixtureName, fixtureLines, SUBSCRIBE } from './support/fake-upstream';
import { createFeed, FEED_TEST_ENV, isolatedPrefix, put } from './support/feed-fixtures';

const modes: Array<[string, () => Record<string, string>]> = [
  ...(hasRedis() ? [['full (Redis)', () => ({ REDIS_KEY_PREFIX: isolatedPrefix() })] as [string, () => Record<string, string>]] : []),
  ['embedded (no Redis)', () => ({ REDIS_URL: '' })],
];

const isData = (f: Frame) => f.type === 'feed-data';

describe.each(modes)('feed ingestion and fan-out, %s', (_mode, env) => {
  let t: TestApp;
  let owner: TestAccount;
  let other: TestAccount;
  const upstreams: FakeUpstream[] = [];
  const clients: TestWsClient[] = [];
  const upstream = async (...args: Parameters<typeof FakeUpstream.start>) => {
    const u = await FakeUpstream.start(...args);
    upstreams.push(u);
    return u;
  };
  const fixture = (name: FixtureName) => upstream({ frames: fixtureLines(name) });
  const connect = async (token: string) => {
    const c = await connectWithToken(t.baseUrl, token);
    clients.push(c);
    return c;
  };
  const keyFor = async (account: TestAccount, scopes: string[]) => (await createApiKey(t.http, account, { scopes })).key;
  const status = async (feedId: string) => (await t.http.get(`/api/marketplace/feeds/${feedId}/status`, { token: owner.token })).body.data;
  const topics = async (feedId: string) => (await t.http.get(`/api/marketplace/feeds/${feedId}/topics`, { token: owner.token })).body;

  beforeAll(async () => {
    t = await startTestApp({ ...FEED_TEST_ENV, FEED_SILENCE_TIMEOUT_MS: '1000', LLM_CONTEXT_LIMIT: '5', ...env() });
    [owner, other] = await Promise.all([createAccount(t.http, 'ingest-owner'), createAccount(t.http, 'ingest-other')]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(upstreams.splice(0).map((u) => u.close()));
  });
  afterAll(() => t.close());

  it('streams a Coinbase-shaped feed to its subscribers only, sending the subscription on every (re)connect', async () => {
    const up = await fixture('coinbase-ticker');
    const feed = await createFeed(t.http, owner, { name: 'Coinbase', url: up.url, connectionMessages: [SUBSCRIBE['coinbase-ticker']] });
    const client = await connect(await keyFor(owner, ['websocket:subscribe']));
    const bystander = await connect(owner.token);

    const reply = await client.request({ type: 'subscribe-feed', payload: { userId: 'trader-1', feedId: feed._id } }, 'subscription-success');
    expect(reply).toEqual({ type: 'subscription-success', payload: { feedId: feed._id, type: 'feed' } });
    const ack = await client.next(isData);
    expect(ack).toEqual({
      type: 'feed-data',
      payload: {
        feedId: feed._id,
        feedName: 'Coinbase',
        eventName: 'subscriptions',
        data: JSON.parse(fixtureLines('coinbase-ticker')[0]),
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    });
    const tick = await client.next((f) => isData(f) && f.payload.eventName === 'ticker');
    expect(tick.payload.data).toMatchObject({ type: 'ticker', product_id: 'BTC-USD', price: '42150.50' });
    expect(up.connections).toHaveLength(1);
    expect(up.connections[0].received).toEqual([SUBSCRIBE['coinbase-ticker']]);

    up.dropAll();
    await waitFor(() => up.connections.length === 2 && up.connections[1].received.length > 0, 5_000);
    expect(up.connections[1].received).toEqual([SUBSCRIBE['coinbase-ticker']]);
    const before = client.frames.length;
    await waitFor(() => client.frames.length > before + 3, 5_000);
    expect(up.open).toHaveLength(1);
    expect(await bystander.receivesNothing(isData)).toBe(true);

    await waitFor(async () => (await status(feed._id)).reconnects >= 1, 3_000);
    const s = await status(feed._id);
    expect(s).toMatchObject({ feedId: feed._id, state: 'connected', ingestedBy: expect.any(String), messagesWithoutTopic: 0, oversizedDropped: 0 });
    expect(s.messagesReceived).toBeGreaterThan(3);
    expect(s.bytesReceived).toBeGreaterThan(300);
    expect(Date.parse(s.lastMessageAt)).toBeGreaterThan(Date.now() - 5_000);

    // The last subscriber leaves: nobody needs the feed, its upstream is closed.
    expect(await client.request({ type: 'unsubscribe-feed', payload: { feedId: feed._id } }, 'unsubscription-success')).toEqual({
      type: 'unsubscription-success',
      payload: { feedId: feed._id, type: 'feed' },
    });
    await waitFor(() => up.open.length === 0, 5_000);
    await waitFor(async () => (await status(feed._id)).state === 'stopped', 3_000);
  });

  it('routes a Binance-shaped feed by topic: each topic subscriber gets its topic only, raw subscribers nothing', async () => {
    const up = await fixture('binance-ticker');
    const feed = await createFeed(t.http, owner, {
      name: 'Binance',
      url: up.url,
      isPublic: true,
      enableTopicRouting: true,
      topicField: 's',
      connectionMessages: [SUBSCRIBE['binance-ticker']],
    });
    const btc = await connect(await keyFor(other, ['websocket:topic']));
    const eth = await connect(await keyFor(other, ['websocket:*']));
    const intelOnly = await connect(owner.token);

    const ok = await btc.request({ type: 'subscribe-topic', payload: { userId: 'u', feedId: feed._id, topic: 'BTCUSDT', includeData: true } }, 'subscription-success');
    expect(ok).toEqual({ type: 'subscription-success', payload: { feedId: feed._id, topic: 'BTCUSDT', type: 'topic' } });
    await eth.request({ type: 'subscribe-topic', payload: { feedId: feed._id, topic: 'ETHUSDT', includeData: true } }, 'subscription-success');
    await intelOnly.request({ type: 'subscribe-topic', payload: { feedId: feed._id, topic: 'BTCUSDT' } }, 'subscription-success');
    const raw = await eth.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success');
    expect(raw).toMatchObject({ type: 'error', code: 'invalid_request', message: expect.stringMatching(/routes by topic/) });

    await waitFor(() => btc.frames.filter(isData).length >= 4 && eth.frames.filter(isData).length >= 4, 5_000);
    for (const [client, topic] of [[btc, 'BTCUSDT'], [eth, 'ETHUSDT']] as const) {
      for (const f of client.frames.filter(isData)) {
        expect(f.payload).toMatchObject({ feedId: feed._id, feedName: 'Binance', topic, eventName: topic, data: { e: '24hrTicker', s: topic } });
      }
    }
    // Topic-routed feeds do not broadcast raw data: a topic subscriber that did not ask for data gets none.
    expect(await intelOnly.receivesNothing(isData)).toBe(true);

    await waitFor(async () => (await topics(feed._id)).count === 2, 3_000);
    const seen = await topics(feed._id);
    expect(seen.data.map((x: { topic: string }) => x.topic).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    for (const x of seen.data) expect(x).toEqual({ topic: x.topic, messageCount: expect.any(Number), lastSeenAt: expect.any(String) });
    expect((await status(feed._id)).messagesWithoutTopic).toBeGreaterThanOrEqual(1); // the {"result":null,"id":1} ack

    // The window the LLM issue reads: the last LLM_CONTEXT_LIMIT (5 here) entries of the topic.
    const feeds = t.app.get(FeedsService);
    await waitFor(async () => (await feeds.contextWindow(feed._id, 'BTCUSDT')).length === 5, 5_000);
    const window = (await feeds.contextWindow(feed._id, 'BTCUSDT')) as Array<{ topic: string; timestamp: string }>;
    expect(window.every((e) => e.topic === 'BTCUSDT')).toBe(true);
    expect(window.map((e) => e.timestamp)).toEqual(window.map((e) => e.timestamp).sort());
    expect((await feeds.contextWindow(feed._id, null)).length).toBe(5);

    await btc.request({ type: 'unsubscribe-topic', payload: { feedId: feed._id, topic: 'BTCUSDT' } }, 'unsubscription-success');
    await new Promise((r) => setTimeout(r, 100));
    const count = btc.frames.filter(isData).length;
    await new Promise((r) => setTimeout(r, 300));
    expect(btc.frames.filter(isData).length).toBe(count);
  });

  it('extracts topics for every syntax form from the four providers', async () => {
    const cases: Array<[FixtureName, string, string[]]> = [
      ['coinbase-ticker', 'product_id', ['BTC-USD', 'ETH-USD']],
      ['binance-ticker', '$.s', ['BTCUSDT', 'ETHUSDT']],
      ['kraken-trade', '[3]', ['ETH/USD', 'XBT/USD']],
      ['kraken-trade', '$[-1]', ['ETH/USD', 'XBT/USD']],
      ['ris-live', 'data.path[-1]', ['13335', '2856', '40138']],
      ['ris-live', 'data.path[0]', ['3333', '41722', '6939']],
      ['ris-live', 'data.host', ['rrc00', 'rrc01', 'rrc10']],
      ['ris-live', "$['data']['peer_asn']", ['3333', '41722', '6939']],
    ];
    const client = await connect(owner.token);
    const feeds = await Promise.all(
      cases.map(async ([name, topicField]) => {
        const up = await fixture(name);
        const feed = await createFeed(t.http, owner, { url: up.url, enableTopicRouting: true, topicField, connectionMessages: [SUBSCRIBE[name]] });
        // A live topic subscriber makes the feed needed.
        await client.request({ type: 'subscribe-topic', payload: { feedId: feed._id, topic: 'any' } }, 'subscription-success');
        return feed;
      }),
    );
    await Promise.all(
      feeds.map((feed, i) =>
        waitFor(async () => {
          const found = (await topics(feed._id)).data.map((x: { topic: string }) => x.topic).sort();
          return JSON.stringify(found) === JSON.stringify(cases[i][2]);
        }, 8_000).catch(async () => {
          throw new Error(`${cases[i][1]}: topics ${JSON.stringify(await topics(feed._id))}`);
        }),
      ),
    );
    // Kraken's object frames (systemStatus, subscriptionStatus, heartbeat) have no [3]: counted, not routed.
    expect((await status(feeds[2]._id)).messagesWithoutTopic).toBeGreaterThanOrEqual(4);
  });

  it('passes non-JSON frames on as text and drops oversized frames, counting them', async () => {
    const up = await upstream({ frames: ['plain text, not JSON', 'x'.repeat(5_000), '{"ok":true}'], startOn: 'connect', once: true, intervalMs: 50 });
    const feed = await createFeed(t.http, owner, { url: up.url });
    const client = await connect(owner.token);
    await client.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success');
    expect((await client.next(isData)).payload).toMatchObject({ eventName: 'message', data: 'plain text, not JSON' });
    expect((await client.next(isData)).payload).toMatchObject({ eventName: 'message', data: { ok: true } });
    await waitFor(async () => (await status(feed._id)).oversizedDropped >= 1, 3_000);
    expect(client.frames.filter(isData).every((f) => JSON.stringify(f).length < 1_000)).toBe(true);
  });

  it('reconnects a silent upstream, and backs off exponentially with jitter while the upstream refuses', async () => {
    const silent = await upstream({ frames: ['{"hello":1}'], once: true });
    const quiet = await createFeed(t.http, owner, { url: silent.url, connectionMessages: ['{"sub":1}'] });
    const refusing = await upstream({ frames: [], refuse: true });
    const failing = await createFeed(t.http, owner, { url: refusing.url });
    const client = await connect(owner.token);
    await client.request({ type: 'subscribe-feed', payload: { feedId: quiet._id } }, 'subscription-success');
    await client.request({ type: 'subscribe-feed', payload: { feedId: failing._id } }, 'subscription-success');

    // Silent for FEED_SILENCE_TIMEOUT_MS (1 s): treated as dead, reconnected, subscribed again.
    await waitFor(() => silent.connections.length >= 2 && silent.connections[1].received.length > 0, 6_000);
    expect(silent.connections[1].received).toEqual(['{"sub":1}']);
    expect((await status(quiet._id)).lastError).toMatch(/No data from the upstream for 1000 ms/);

    // Base 100 ms doubling to at most 1600 ms, each delay between half and all of its ceiling.
    await waitFor(() => refusing.attempts.length >= 6, 10_000);
    const gaps = refusing.attempts.slice(1, 6).map((at, i) => at - refusing.attempts[i]);
    gaps.forEach((gap, k) => {
      const ceiling = Math.min(1_600, 100 * 2 ** k);
      expect(gap).toBeGreaterThanOrEqual(ceiling / 2 - 5);
      expect(gap).toBeLessThanOrEqual(ceiling + 400);
    });
    const s = await status(failing._id);
    expect(['backing_off', 'connecting']).toContain(s.state);
    expect(s.lastError).toMatch(/HTTP 503/);
    await waitFor(async () => (await status(failing._id)).reconnects >= 4, 3_000);
  });

  it('does not reconnect when reconnectionEnabled is false, and stops when the feed is deactivated', async () => {
    const up = await fixture('kraken-trade');
    const once = await createFeed(t.http, owner, { url: up.url, reconnectionEnabled: false, connectionMessages: [SUBSCRIBE['kraken-trade']] });
    const up2 = await fixture('coinbase-ticker');
    const active = await createFeed(t.http, owner, { url: up2.url, connectionMessages: [SUBSCRIBE['coinbase-ticker']] });
    const client = await connect(owner.token);
    await client.request({ type: 'subscribe-feed', payload: { feedId: once._id } }, 'subscription-success');
    await client.request({ type: 'subscribe-feed', payload: { feedId: active._id } }, 'subscription-success');
    await waitFor(() => up.open.length === 1 && up2.open.length === 1, 5_000);

    up.dropAll();
    await waitFor(async () => (await status(once._id)).state === 'stopped', 3_000);
    await new Promise((r) => setTimeout(r, 800));
    expect(up.connections).toHaveLength(1);

    expect((await put(t.http, `/api/marketplace/feeds/${active._id}`, { isActive: false }, owner.token)).status).toBe(200);
    await waitFor(() => up2.open.length === 0, 5_000);
    await waitFor(async () => (await status(active._id)).state === 'stopped', 3_000);
  });

  it('answers missing scopes with "insufficient permissions" and keeps the connection', async () => {
    const feed = await createFeed(t.http, owner, { url: 'ws://127.0.0.1:9/x', isPublic: true, isActive: false });
    const routed = await createFeed(t.http, owner, { url: 'ws://127.0.0.1:9/x', isPublic: true, isActive: false, enableTopicRouting: true, topicField: 's' });
    const denied = { type: 'error', code: 'unauthorized', message: 'insufficient permissions' };
    const topicOnly = await connect(await keyFor(other, ['websocket:topic']));
    expect(await topicOnly.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success')).toEqual(denied);
    const rawOnly = await connect(await keyFor(other, ['websocket:subscribe']));
    expect(await rawOnly.request({ type: 'subscribe-topic', payload: { feedId: routed._id, topic: 'BTCUSDT' } }, 'subscription-success')).toEqual(denied);
    const llmOnly = await connect(await keyFor(other, ['websocket:llm', 'chat:read']));
    expect(await llmOnly.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success')).toEqual(denied);
    expect(await llmOnly.request({ type: 'subscribe-topic', payload: { feedId: routed._id, topic: 'x' } }, 'subscription-success')).toEqual(denied);
    expect((await llmOnly.request({ type: 'ping' }, 'pong')).type).toBe('pong');
    // The right scope works on the same kind of connection.
    expect((await rawOnly.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success')).type).toBe('subscription-success');
    // Tenant end users are not accounts: feeds are not theirs to use.
    const rt = await createRealtimeTenant(t.http);
    const endUser = await connectEndUser(t.baseUrl, rt.tenant, 'u1');
    clients.push(endUser);
    expect(await endUser.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success')).toEqual(denied);
    // Bad input.
    expect(await rawOnly.request({ type: 'subscribe-feed', payload: {} }, 'subscription-success')).toMatchObject({ code: 'invalid_request', message: 'feedId required' });
    expect(await rawOnly.request({ type: 'subscribe-topic', payload: { feedId: routed._id } }, 'x')).toMatchObject({ type: 'error' });
  });

  it("never delivers a private feed to another account, even with every scope", async () => {
    const up = await fixture('coinbase-ticker');
    const feed = await createFeed(t.http, owner, { url: up.url, connectionMessages: [SUBSCRIBE['coinbase-ticker']] });
    const mine = await connect(await keyFor(owner, ['websocket:*']));
    const theirs = await connect(await keyFor(other, ['websocket:*']));
    const theirsJwt = await connect(other.token);
    expect((await theirs.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success'))).toEqual({
      type: 'error',
      code: 'invalid_request',
      message: 'Feed not found',
    });
    expect((await theirsJwt.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success')).type).toBe('error');
    await mine.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success');
    await mine.next(isData);
    expect(await theirs.receivesNothing(isData)).toBe(true);
    expect(await theirsJwt.receivesNothing(isData)).toBe(true);
  });

  it('registers a user label on the connection', async () => {
    const client = await connect(owner.token);
    expect(await client.request({ type: 'register-user', payload: { userId: 'trader-123' } }, 'registered')).toEqual({ type: 'registered', payload: { userId: 'trader-123' } });
    expect(await client.request({ type: 'register-user', payload: {} }, 'registered')).toMatchObject({ type: 'error', code: 'invalid_request' });
  });

  it('ingests a feed with marketplace subscribers even when no WebSocket client listens', async () => {
    const up = await fixture('ris-live');
    const feed = await createFeed(t.http, owner, { url: up.url, enableTopicRouting: true, topicField: 'data.path[-1]', connectionMessages: [SUBSCRIBE['ris-live']] });
    expect((await t.http.post(`/api/marketplace/subscribe/${feed._id}`, undefined, { token: owner.token })).status).toBe(200);
    try {
      await waitFor(async () => (await topics(feed._id)).count === 3, 6_000);
    } finally {
      await t.http.post(`/api/marketplace/unsubscribe/${feed._id}`, undefined, { token: owner.token });
    }
    await waitFor(async () => (await status(feed._id)).state === 'stopped', 5_000);
  });
});
