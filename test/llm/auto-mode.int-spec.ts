import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { LLM_ANALYSES_QUEUE, schedulerIdOf } from '../../src/modules/llm/llm-analysis.jobs';
import { createAccount, createApiKey, TestAccount } from '../factories/account.factory';
import { FakeUpstream, fixtureLines, SUBSCRIBE } from '../feeds/support/fake-upstream';
import { createFeed, FEED_TEST_ENV, isolatedPrefix, put } from '../feeds/support/feed-fixtures';
import { connectWithToken } from '../realtime/support/realtime-fixtures';
import { Frame, TestWsClient } from '../realtime/support/ws-client';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { FakeLlmVendor, RecordedRequest, USAGE } from './support/fake-llm-vendor';

const isIntel = (f: Frame) => f.type === 'llm-intelligence';
const isStatus = (f: Frame) => f.type === 'llm-status';
const topicOf = (r: RecordedRequest): string => /topic "([^"]+)"/.exec(r.body.messages.at(-1).content)?.[1] ?? '?';

/** Both job backends: BullMQ on Redis (REDIS_URL) and on Postgres (without it, as in embedded mode). */
const BACKENDS = [{ jobs: 'Postgres', redis: false }, ...(hasRedis() ? [{ jobs: 'Redis', redis: true }] : [])];

describe.each(BACKENDS)('auto mode: scheduled per-topic analysis of topic-routed feeds (jobs on $jobs)', ({ redis }) => {
  let t: TestApp;
  let fake: FakeLlmVendor;
  let upstream: FakeUpstream;
  let owner: TestAccount;
  let other: TestAccount;
  const clients: TestWsClient[] = [];
  let answers = 0;

  const sql = (text: string, params: unknown[]) => t.app.get(DataSource).query(text, params);
  const routedFeed = (account: TestAccount, body: Record<string, unknown> = {}) =>
    createFeed(t.http, account, { name: 'Binance', url: upstream.url, enableTopicRouting: true, topicField: 's', connectionMessages: [SUBSCRIBE['binance-ticker']], ...body });
  const subscriber = async (token: string, feedId: string, topic: string) => {
    const c = await connectWithToken(t.baseUrl, token);
    clients.push(c);
    expect(await c.request({ type: 'subscribe-topic', payload: { feedId, topic } }, 'subscription-success')).toMatchObject({ type: 'subscription-success' });
    return c;
  };
  const schedulerEvery = async (feedId: string) => {
    const queue = t.app.get<Queue>(getQueueToken(LLM_ANALYSES_QUEUE));
    return (await queue.getJobSchedulers(0, -1)).find((s) => (s.id ?? s.key) === schedulerIdOf(feedId))?.every ?? null;
  };

  beforeAll(async () => {
    fake = await FakeLlmVendor.start();
    fake.answerFor = (r) => [`${topicOf(r)} analysis `, `#${++answers}`];
    upstream = await FakeUpstream.start({ frames: fixtureLines('binance-ticker') });
    t = await startTestApp({
      ...FEED_TEST_ENV,
      ...(redis ? {} : { REDIS_URL: '' }),
      REDIS_KEY_PREFIX: isolatedPrefix(),
      DEFAULT_AI_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-auto',
      OPENAI_BASE_URL: `${fake.url}/v1`,
      LLM_QUERY_INTERVAL_SECONDS: '1',
      LLM_SCHEDULER_SYNC_MS: '300',
      LLM_BACKOFF_BASE_MS: '300',
      LLM_BACKOFF_MAX_MS: '1000',
      REQUEST_TIMEOUT_MS: '3000',
    });
    [owner, other] = await Promise.all([createAccount(t.http, 'auto-owner'), createAccount(t.http, 'auto-other')]);
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.mode = { kind: 'ok' };
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await t.close();
    await upstream.close();
    await fake.close();
  });

  it("every 5 s, each topic's subscribers get only their topic's llm-intelligence, built with its prompt, window and memory", async () => {
    const feed = await routedFeed(owner, { isPublic: true, queryInterval: 5, topicPrompts: { BTCUSDT: { systemPrompt: 'You are the BTC desk analyst.' } } });
    const btc = await subscriber((await createApiKey(t.http, other, { scopes: ['websocket:topic'] })).key, feed._id, 'BTCUSDT');
    const eth = await subscriber(other.token, feed._id, 'ETHUSDT');

    const firstBtc = await btc.next(isIntel, 15_000);
    const firstEth = await eth.next(isIntel, 15_000);
    expect(firstBtc.payload).toEqual({ feedId: feed._id, topic: 'BTCUSDT', analysis: expect.stringMatching(/^BTCUSDT analysis #\d+$/), provider: 'openai', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(firstEth.payload).toMatchObject({ feedId: feed._id, topic: 'ETHUSDT', analysis: expect.stringMatching(/^ETHUSDT analysis #\d+$/), provider: 'openai' });

    const secondBtc = await btc.next(isIntel, 10_000);
    const gap = Date.parse(secondBtc.payload.timestamp) - Date.parse(firstBtc.payload.timestamp);
    expect(gap).toBeGreaterThanOrEqual(4_000);
    expect(gap).toBeLessThan(8_000);
    expect(btc.frames.filter(isIntel).every((f) => f.payload.topic === 'BTCUSDT')).toBe(true);
    expect(eth.frames.filter(isIntel).every((f) => f.payload.topic === 'ETHUSDT')).toBe(true);

    // Prompts: the topic's own system prompt, the feed default for the other; the topic's window only.
    const btcCalls = fake.requests.filter((r) => topicOf(r) === 'BTCUSDT');
    const ethCalls = fake.requests.filter((r) => topicOf(r) === 'ETHUSDT');
    expect(btcCalls[0].body.messages[0].content).toBe('You are the BTC desk analyst.');
    expect(ethCalls[0].body.messages[0].content).not.toContain('BTC');
    expect(btcCalls[0].body.messages.at(-1).content).toContain('"s":"BTCUSDT"');
    expect(btcCalls[0].body.messages.at(-1).content).not.toContain('"s":"ETHUSDT"');
    // Memory: the second analysis carries the first as an earlier answer.
    const second = btcCalls.find((r) => r.body.messages.some((m: { role: string; content: string }) => m.role === 'assistant' && m.content === firstBtc.payload.analysis));
    expect(second).toBeDefined();

    // Stored, newest first, paginated; readable by whoever may read the feed.
    const page = await t.http.get(`/api/marketplace/feeds/${feed._id}/topics/BTCUSDT/analyses?limit=1`, { token: other.token });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ success: true, count: 1, page: 1, limit: 1, total: expect.any(Number) });
    expect(page.body.total).toBeGreaterThanOrEqual(2);
    expect(page.body.data[0]).toMatchObject({ feedId: feed._id, topic: 'BTCUSDT', provider: 'openai', tokensUsed: USAGE.total });
    const page2 = await t.http.get(`/api/marketplace/feeds/${feed._id}/topics/BTCUSDT/analyses?limit=1&page=2`, { token: other.token });
    expect(Date.parse(page2.body.data[0].timestamp)).toBeLessThan(Date.parse(page.body.data[0].timestamp));

    // The feed owner pays for auto mode, not the subscribers.
    const analysed = fake.requests.length;
    expect((await t.http.get('/api/auth/me', { token: owner.token })).body.user.tokenUsage.tokensUsed).toBeGreaterThanOrEqual(analysed * USAGE.total - USAGE.total * 2);
    expect((await t.http.get('/api/auth/me', { token: other.token })).body.user.tokenUsage.tokensUsed).toBe(0);
  });

  it('a topic without subscribers costs nothing; private feeds hide their analyses', async () => {
    const feed = await routedFeed(owner);
    // Ingested (someone watches a topic that never has data), so BTCUSDT and ETHUSDT have windows,
    // but no one subscribes to them.
    await subscriber(owner.token, feed._id, 'NO-SUCH-TOPIC');
    await waitFor(async () => (await t.http.get(`/api/marketplace/feeds/${feed._id}/topics`, { token: owner.token })).body.count === 2, 5_000);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(fake.requests).toHaveLength(0);
    expect((await t.http.get(`/api/marketplace/feeds/${feed._id}/topics/BTCUSDT/analyses`, { token: other.token })).status).toBe(404);
    expect((await t.http.get(`/api/marketplace/feeds/${feed._id}/topics/BTCUSDT/analyses`, { token: owner.token })).body).toMatchObject({ data: [], total: 0 });
  });

  it('changing queryInterval reschedules; deactivating the feed removes its schedule', async () => {
    const feed = await routedFeed(owner, { queryInterval: 30 });
    await waitFor(async () => (await schedulerEvery(feed._id)) === 30_000, 5_000);
    expect((await put(t.http, `/api/marketplace/feeds/${feed._id}`, { queryInterval: 10 }, owner.token)).status).toBe(200);
    await waitFor(async () => (await schedulerEvery(feed._id)) === 10_000, 5_000);
    expect((await put(t.http, `/api/marketplace/feeds/${feed._id}`, { isActive: false }, owner.token)).status).toBe(200);
    await waitFor(async () => (await schedulerEvery(feed._id)) === null, 5_000);
  });

  it('a failing provider is reported to subscribers as llm-status, backs off, and recovers', async () => {
    const feed = await routedFeed(owner);
    fake.mode = { kind: 'fail', status: 500 };
    const btc = await subscriber(owner.token, feed._id, 'BTCUSDT');
    const status = await btc.next(isStatus, 10_000);
    expect(status.payload).toMatchObject({ feedId: feed._id, topic: 'BTCUSDT', status: 'provider_error', provider: 'openai', message: expect.stringContaining('500'), retryInMs: expect.any(Number) });
    await waitFor(() => btc.frames.filter(isStatus).length >= 2, 10_000);
    // Failures never stop the schedule: once the vendor answers again, analyses resume.
    fake.mode = { kind: 'ok' };
    const intel = await btc.next(isIntel, 10_000);
    expect(intel.payload).toMatchObject({ topic: 'BTCUSDT', provider: 'openai', analysis: expect.stringMatching(/^BTCUSDT analysis/) });
    await btc.next(isIntel, 5_000);
  });

  it('quota exhaustion stops the calls and tells the subscribers why', async () => {
    const poor = await createAccount(t.http, 'auto-poor');
    await sql('UPDATE accounts SET token_limit = 20 WHERE id = $1', [poor.id]);
    const feed = await routedFeed(poor);
    const btc = await subscriber(poor.token, feed._id, 'BTCUSDT');
    const status = await btc.next(isStatus, 15_000);
    // 18 of 20 tokens used still allows a call; after it (36 of 20) the calls stop.
    expect(status.payload).toMatchObject({ feedId: feed._id, topic: 'BTCUSDT', status: 'quota_exceeded', message: expect.stringContaining('quota exhausted (36 of 20 tokens') });
    expect(btc.frames.filter(isIntel)).toHaveLength(2);
    await waitFor(() => btc.frames.filter(isStatus).length >= 2, 5_000);
    const calls = fake.requests.length;
    await new Promise((r) => setTimeout(r, 2_000));
    expect(fake.requests.length).toBe(calls);
    expect((await t.http.get('/api/auth/me', { token: poor.token })).body.user.tokenUsage).toMatchObject({ tokensUsed: 36, limit: 20 });
  });
});
