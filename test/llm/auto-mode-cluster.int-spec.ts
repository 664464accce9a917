import { randomBytes } from 'node:crypto';
import { AutoAnalysisService } from '../../src/modules/llm/auto-analysis.service';
import { createAccount } from '../factories/account.factory';
import { FakeUpstream, fixtureLines, SUBSCRIBE } from '../feeds/support/fake-upstream';
import { createFeed, FEED_TEST_ENV } from '../feeds/support/feed-fixtures';
import { connectWithToken } from '../realtime/support/realtime-fixtures';
import { Frame, TestWsClient } from '../realtime/support/ws-client';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { isolatedPrefix } from '../support/test-services';
import { waitFor } from '../support/wait-for';
import { FakeLlmVendor } from './support/fake-llm-vendor';

const isIntel = (f: Frame) => f.type === 'llm-intelligence';
const isStatus = (f: Frame) => f.type === 'llm-status';

// Two instances need Redis; CI always has it.
(hasRedis() ? describe : describe.skip)('auto mode across two instances on Redis: provider backoff is cluster-wide', () => {
  let a: TestApp;
  let b: TestApp;
  let fake: FakeLlmVendor;
  let upstream: FakeUpstream;
  const clients: TestWsClient[] = [];

  beforeAll(async () => {
    fake = await FakeLlmVendor.start();
    upstream = await FakeUpstream.start({ frames: fixtureLines('binance-ticker') });
    // One cluster of its own; analyses every second, and a failure backs the provider off for 30 s.
    const env = {
      ...FEED_TEST_ENV,
      REDIS_KEY_PREFIX: isolatedPrefix(`llm-cluster-${randomBytes(4).toString('hex')}`),
      DEFAULT_AI_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-cluster',
      OPENAI_BASE_URL: `${fake.url}/v1`,
      LLM_QUERY_INTERVAL_SECONDS: '1',
      LLM_SCHEDULER_SYNC_MS: '300',
      LLM_BACKOFF_BASE_MS: '30000',
      LLM_BACKOFF_MAX_MS: '30000',
      REQUEST_TIMEOUT_MS: '3000',
    };
    [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([a.close(), b.close()]);
    await upstream.close();
    await fake.close();
  });

  it('after a provider failure on one instance, no instance calls that provider until the backoff ends', async () => {
    fake.mode = { kind: 'fail', status: 503 };
    const owner = await createAccount(a.http, 'llm-cluster-owner');
    const feed = await createFeed(a.http, owner, { name: 'Binance', url: upstream.url, enableTopicRouting: true, topicField: 's', connectionMessages: [SUBSCRIBE['binance-ticker']] });
    const onA = await connectWithToken(a.baseUrl, owner.token);
    const onB = await connectWithToken(b.baseUrl, owner.token);
    clients.push(onA, onB);
    for (const c of [onA, onB]) await c.request({ type: 'subscribe-topic', payload: { feedId: feed._id, topic: 'BTCUSDT' } }, 'subscription-success');

    // Whichever instance's worker runs the first analysis, both instances' subscribers hear of the failure.
    const status = await onB.next(isStatus, 15_000);
    expect(status.payload).toMatchObject({ feedId: feed._id, topic: 'BTCUSDT', status: 'provider_error', provider: 'openai', message: expect.stringContaining('503') });
    expect(status.payload.retryInMs).toBeGreaterThan(25_000);
    await waitFor(() => onA.frames.some(isStatus), 3_000);

    // The vendor is fine again, but the backoff holds on both instances: several scheduled runs,
    // wherever BullMQ hands them, and a run forced on each instance, all leave the vendor alone.
    fake.mode = { kind: 'ok' };
    await new Promise((r) => setTimeout(r, 3_000));
    for (const app of [a, b]) expect(await app.app.get(AutoAnalysisService).runFeed(feed._id)).toEqual({ BTCUSDT: 'backing_off' });
    expect(fake.requests).toHaveLength(1);
    expect([...onA.frames, ...onB.frames].filter(isIntel)).toHaveLength(0);
  });
});
