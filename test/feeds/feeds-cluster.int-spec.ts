import { FeedIngestionService } from '../../src/modules/feeds/feed-ingestion.service';
import { RealtimeHub } from '../../src/realtime/hub/realtime-hub.service';
import { createAccount } from '../factories/account.factory';
import { connectWithToken } from '../realtime/support/realtime-fixtures';
import { Frame, TestWsClient } from '../realtime/support/ws-client';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { FakeUpstream, fixtureLines, SUBSCRIBE } from './support/fake-upstream';
import { createFeed, FEED_TEST_ENV, isolatedPrefix } from './support/feed-fixtures';

const isData = (f: Frame) => f.type === 'feed-data';

// Two instances need Redis; CI always has it.
(hasRedis() ? describe : describe.skip)('feed ingestion across two instances on Redis', () => {
  let a: TestApp;
  let b: TestApp;
  let up: FakeUpstream;
  const clients: TestWsClient[] = [];

  beforeAll(async () => {
    // One cluster of its own (see isolatedPrefix), leases of 1.5 s renewed every 0.5 s.
    const env = { ...FEED_TEST_ENV, REDIS_KEY_PREFIX: isolatedPrefix(), REALTIME_HEARTBEAT_INTERVAL_MS: '250', REALTIME_INSTANCE_TTL_MS: '2000' };
    [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
    up = await FakeUpstream.start({ frames: fixtureLines('coinbase-ticker') });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([a.close(), b.close()]);
    await up.close();
  });

  it('exactly one instance ingests a feed; when it dies the other takes over within 15 s and subscribers on both keep receiving', async () => {
    const owner = await createAccount(a.http, 'cluster-owner');
    const feed = await createFeed(a.http, owner, { url: up.url, connectionMessages: [SUBSCRIBE['coinbase-ticker']] });
    const onA = await connectWithToken(a.baseUrl, owner.token);
    const onB = await connectWithToken(b.baseUrl, owner.token);
    clients.push(onA, onB);
    for (const c of [onA, onB]) await c.request({ type: 'subscribe-feed', payload: { feedId: feed._id } }, 'subscription-success');
    await Promise.all([onA.next(isData), onB.next(isData)]);

    // Several lease periods later there is still one upstream connection, held by one instance.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(up.connections).toHaveLength(1);
    const ingesting = [a, b].filter((app) => app.app.get(FeedIngestionService).ingesting.includes(feed._id));
    expect(ingesting).toHaveLength(1);
    const [owning] = ingesting;
    const survivor = owning === a ? b : a;
    const status = async () => (await survivor.http.get(`/api/marketplace/feeds/${feed._id}/status`, { token: owner.token })).body.data;
    expect((await status()).ingestedBy).toBe(owning.app.get(RealtimeHub).instanceId);

    // The owner "dies": no more renewals, its upstream socket dropped, nothing cleaned up.
    const killedAt = Date.now();
    owning.app.get(FeedIngestionService).abandon();
    await waitFor(() => up.connections.length === 2 && up.connections[1].received.length > 0, 15_000);
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(15_000);
    expect(up.connections[1].received).toEqual([SUBSCRIBE['coinbase-ticker']]);
    // toContain: feeds that other suites on this database leave subscribed are needed here too.
    expect(survivor.app.get(FeedIngestionService).ingesting).toContain(feed._id);
    await waitFor(async () => (await status()).ingestedBy === survivor.app.get(RealtimeHub).instanceId, 3_000);
    expect((await status()).state).toBe('connected');

    // Subscribers on both instances receive what the new owner ingests.
    const seen = [onA.frames.length, onB.frames.length];
    await waitFor(() => onA.frames.length > seen[0] + 3 && onB.frames.length > seen[1] + 3, 5_000);
    expect(up.open).toHaveLength(1);
  });
});
