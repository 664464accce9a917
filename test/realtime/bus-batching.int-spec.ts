import { RealtimeHub } from '../../src/realtime/hub/realtime-hub.service';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { connectEndUser, createRealtimeTenant, RealtimeTenant, subscribe, wsUrl } from './support/realtime-fixtures';
import { Frame, TestWsClient } from './support/ws-client';

const CLUSTER_ENV = { REALTIME_HEARTBEAT_INTERVAL_MS: '250', REALTIME_INSTANCE_TTL_MS: '2000' };
const nextTurn = () => new Promise((r) => setImmediate(r));

/** A Pusher-protocol client subscribed to `channel`. */
async function pusherSubscriber(app: TestApp, key: string, channel: string): Promise<TestWsClient> {
  const c = await TestWsClient.open(wsUrl(app.baseUrl, `/app/${key}?protocol=7`));
  await c.next((f) => f.event === 'pusher:connection_established');
  c.send({ event: 'pusher:subscribe', data: { channel } });
  await c.next((f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === channel);
  return c;
}

/** The `n` of every `tick` event the client got so far, in arrival order. */
const ticks = (c: TestWsClient, isTick: (f: Frame) => boolean) => c.frames.filter(isTick).map((f) => f.data.n as number);

// The Redis bus sends a turn's publishes as one batch: every event must still arrive exactly once, in order.
(hasRedis() ? describe : describe.skip)('bus batching over Redis: two instances', () => {
  let a: TestApp;
  let b: TestApp;
  let rt: RealtimeTenant;
  const clients: TestWsClient[] = [];
  const track = (c: TestWsClient) => (clients.push(c), c);

  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApp(CLUSTER_ENV), startTestApp(CLUSTER_ENV)]);
    rt = await createRealtimeTenant(a.http);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  it('events published on A in one turn and across turns reach B exactly once and in order; A\'s own subscribers once', async () => {
    const onB = track(await pusherSubscriber(b, rt.tenant.key, 'ticks'));
    const onA = track(await connectEndUser(a.baseUrl, rt.tenant, 'local'));
    await subscribe(onA, 'ticks');
    const hub = a.app.get(RealtimeHub);
    const publish = (n: number) => hub.publish(rt.tenant.id, 'ticks', { name: 'tick', dataJson: JSON.stringify({ n }) });
    // 600 in one turn (more than one batch command), then 50 one per turn.
    for (let n = 0; n < 600; n++) publish(n);
    for (let n = 600; n < 650; n++) {
      await nextTurn();
      publish(n);
    }
    const expected = Array.from({ length: 650 }, (_, n) => n);
    await onB.next((f) => f.event === 'tick' && f.data.n === 649, 10_000);
    await onA.next((f) => f.type === 'tick' && f.data.n === 649, 10_000);
    await new Promise((r) => setTimeout(r, 300)); // room for duplicates to show up
    expect(ticks(onB, (f) => f.event === 'tick')).toEqual(expected);
    expect(ticks(onA, (f) => f.type === 'tick')).toEqual(expected);
  });

  it('a subscriber that appears on B after publishing began gets every later event', async () => {
    const hub = a.app.get(RealtimeHub);
    const publish = (n: number) => hub.publish(rt.tenant.id, 'late', { name: 'tick', dataJson: JSON.stringify({ n }) });
    publish(0); // nobody anywhere: delivered to no one
    await nextTurn();
    const onB = track(await pusherSubscriber(b, rt.tenant.key, 'late'));
    for (let n = 1; n <= 20; n++) publish(n);
    await onB.next((f) => f.event === 'tick' && f.data.n === 20, 5_000);
    expect(ticks(onB, (f) => f.event === 'tick')).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });
});
