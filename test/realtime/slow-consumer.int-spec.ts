import WebSocket from 'ws';
import { RealtimeHub } from '../../src/realtime/hub/realtime-hub.service';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { createRealtimeTenant, endUserToken, eventually, realtimeModes, subscribe, wsUrl } from './support/realtime-fixtures';
import { TestWsClient } from './support/ws-client';

const MAX_FRAME = 1_024;
const MAX_BUFFERED = 256 * 1024;

describe.each(realtimeModes(hasRedis()))('slow consumers — %s', (_mode, env) => {
  let t: TestApp;
  const connections = async (key: string) => (await t.http.get('/api/channels', { apiKey: key })).body.data.connections;

  beforeAll(async () => {
    t = await startTestApp({ ...env, WS_MAX_FRAME_BYTES: String(MAX_FRAME), WS_MAX_BUFFERED_BYTES: String(MAX_BUFFERED) });
  });
  afterAll(() => t.close());

  it('a client that never reads is closed once its unsent bytes pass WS_MAX_BUFFERED_BYTES; server memory for it stays bounded', async () => {
    const fresh = await createRealtimeTenant(t.http);
    const hub = t.app.get(RealtimeHub);
    const url = wsUrl(t.baseUrl, `/ws/${fresh.tenant.key}?jwt=${endUserToken(fresh.tenant, 'slow')}`);
    const slow = await TestWsClient.open(url);
    await slow.next('connected');
    await subscribe(slow, 'firehose');
    slow.ws.pause(); // stops reading from the socket: the kernel buffers fill, then the server's

    let fastCount = 0;
    const fast = new WebSocket(url);
    await new Promise((r) => fast.once('open', r));
    fast.on('message', (data) => {
      if (data.toString().startsWith('{"type":"notification"')) fastCount++;
    });
    fast.send(JSON.stringify({ type: 'subscribe', data: { channel: 'firehose' } }));
    await eventually(async () => (await connections(fresh.serverKey)) === 2, 2_000);
    await new Promise((r) => setTimeout(r, 100));

    let maxUnsent = 0;
    const sample = () => {
      for (const conn of hub.allConnections()) maxUnsent = Math.max(maxUnsent, conn.socket.writableLength);
    };
    const sampler = setInterval(sample, 1);
    const payload = 'y'.repeat(MAX_FRAME - 40);
    const total = 30_000; // ~30 MB: well past what loopback kernel buffers absorb
    let published = 0;
    try {
      // Through the hub directly (what every REST trigger calls), to push 30 MB in a second or two.
      while (published < total) {
        for (let i = 0; i < 50; i++) hub.publish(fresh.tenant.id, 'firehose', { name: 'notification', dataJson: JSON.stringify(payload) });
        published += 50;
        sample();
        await new Promise((r) => setImmediate(r));
        // Let the well-behaved client keep up, so only the one that does not read falls behind.
        await eventually(async () => fastCount >= published - 100, 5_000, 1);
      }
      await eventually(async () => fastCount === total, 5_000, 5);
      // The reader is still connected; the one that never read is not.
      expect(await eventually(async () => (await connections(fresh.serverKey)) === 1, 3_000)).toBe(true);
    } finally {
      clearInterval(sampler);
      fast.close();
      slow.ws.terminate();
    }
    expect(fastCount).toBe(total);
    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(Number(/relaybase_ws_slow_consumer_disconnects_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
    // Bounded: the cap plus at most one event-loop turn of frames, never the ~30 MB published.
    expect(maxUnsent).toBeLessThan(MAX_BUFFERED + 50 * MAX_FRAME + 64 * 1024);
  });
});
