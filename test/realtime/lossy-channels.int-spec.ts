import WebSocket from 'ws';
import { RealtimeHub } from '../../src/realtime/hub/realtime-hub.service';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { createRealtimeTenant, endUserToken, eventually, realtimeModes, subscribe, wsUrl } from './support/realtime-fixtures';
import { TestWsClient } from './support/ws-client';

const MAX_FRAME = 1_024;
const MAX_BUFFERED = 256 * 1024;

/** Lossy channels (feed data): a subscriber that falls behind loses the oldest frames, stays connected, and is told once. */
describe.each(realtimeModes(hasRedis()))('lossy channels — %s', (_mode, env) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ...env, WS_MAX_FRAME_BYTES: String(MAX_FRAME), WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED) });
    t.app.get(RealtimeHub).markLossy('firehose-');
  });
  afterAll(() => t.close());

  it('keeps a subscriber that does not read, bounds its unsent bytes, drops the oldest frames and delivers the newest when it reads again', async () => {
    const fresh = await createRealtimeTenant(t.http);
    const hub = t.app.get(RealtimeHub);
    const url = wsUrl(t.baseUrl, `/ws/${fresh.tenant.key}?jwt=${endUserToken(fresh.tenant, 'slow')}`);
    const slow = await TestWsClient.open(url);
    await slow.next('connected');
    await subscribe(slow, 'firehose-1');
    slow.ws.pause();

    let fastCount = 0;
    const fast = new WebSocket(url);
    await new Promise((r) => fast.once('open', r));
    fast.on('message', (data) => {
      if (data.toString().startsWith('{"type":"tick"')) fastCount++;
    });
    fast.send(JSON.stringify({ type: 'subscribe', data: { channel: 'firehose-1' } }));
    const connections = async () => (await t.http.get('/api/channels', { apiKey: fresh.serverKey })).body.data.connections;
    await eventually(async () => (await connections()) === 2, 2_000);
    await new Promise((r) => setTimeout(r, 100));

    let maxUnsent = 0;
    const sample = () => {
      for (const conn of hub.allConnections()) maxUnsent = Math.max(maxUnsent, conn.socket.writableLength + (conn.lossy?.bytes ?? 0));
    };
    const payload = 'z'.repeat(MAX_FRAME - 60);
    const total = 20_000; // ~20 MB, far past the bound
    let published = 0;
    while (published < total) {
      for (let i = 0; i < 50; i++) {
        published++;
        hub.publish(fresh.tenant.id, 'firehose-1', { name: 'tick', dataJson: JSON.stringify({ n: published, pad: payload }) });
      }
      sample();
      await new Promise((r) => setImmediate(r));
      await eventually(async () => fastCount >= published - 100, 5_000, 1);
    }
    await eventually(async () => fastCount === total, 5_000, 5);
    expect(fastCount).toBe(total);
    // Not disconnected: both connections still count.
    expect(await connections()).toBe(2);
    expect(maxUnsent).toBeLessThan(MAX_BUFFERED + 50 * MAX_FRAME + 64 * 1024);

    slow.ws.resume();
    const last = await slow.next((f) => f.type === 'tick' && f.data.n === total, 15_000);
    expect(last.data.n).toBe(total);
    const ticks = slow.frames.filter((f) => f.type === 'tick');
    expect(ticks.length).toBeLessThan(total);
    const ns = ticks.map((f) => f.data.n as number);
    expect(ns).toEqual([...ns].sort((x, y) => x - y)); // in order, with a gap where the oldest were dropped
    expect(slow.frames.filter((f) => f.type === 'lagging')).toHaveLength(1);
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(Number(/relaybase_ws_lossy_frames_dropped_total (\d+)/.exec(metrics)?.[1])).toBe(total - ticks.length);
    fast.close();
    await slow.close();
  });
});
