// Target 8 (issue 9): feed ingestion. One fake upstream provider (clients/feed-upstream.mjs, on the
// client core) streams Coinbase-ticker-shaped JSON over one WebSocket connection at an open-loop
// rate above the target; Relaybase ingests it (topic routing on `product_id`) and fans each message
// out to the subscribers of its topic: 100 native WebSocket subscribers (clients/feed-subscribers.mjs),
// each on one of 10 topics with `includeData: true`, so every message reaches 10 of them.
// Ingested/s is Relaybase's own counter (`messagesReceived` of GET /api/marketplace/feeds/:id/status),
// read at flush boundaries at the start and end of the window; deliveries/s and upstream-to-subscriber
// latency (the upstream's send time `t` inside each message) come from the subscribers.
import { join } from 'node:path';

export const name = 'feeds';

const TARGET = 20_000;
const SUBSCRIBERS = 100;
const TOPICS = ['BTC-USD', 'ETH-USD', 'SOL-USD', 'XRP-USD', 'ADA-USD', 'DOGE-USD', 'AVAX-USD', 'LINK-USD', 'DOT-USD', 'LTC-USD'];
/**
 * Offered upstream rate: 10% above the target, so meeting it means capacity to spare, not a rounding.
 * BENCH_FEEDS_RATE overrides it (to look for the ceiling).
 */
const OFFERED = Number(process.env.BENCH_FEEDS_RATE) || 22_000;

/** The status counter, read right after a flush (it moves every 250 ms): exact to the polling step. */
async function counterAtFlush(ctx, feedId, token) {
  const read = async () => (await ctx.api('GET', `/api/marketplace/feeds/${feedId}/status`, null, token)).data;
  const first = (await read()).messagesReceived;
  const deadline = performance.now() + 2000;
  for (;;) {
    const s = await read();
    if (s.messagesReceived !== first || performance.now() > deadline) return { at: performance.now(), count: s.messagesReceived, status: s };
    await ctx.sleep(10);
  }
}

/** Relaybase's own counters of feed frames written to subscribers and dropped for slow ones. */
async function hubCounters(ctx) {
  const text = await (await fetch(`http://127.0.0.1:${ctx.PORT}/metrics`)).text();
  const value = (name) => Number(new RegExp(`^${name}\\s+([\\d.e+-]+)`, 'm').exec(text)?.[1] ?? NaN);
  return { out: value('relaybase_ws_messages_out_total'), dropped: value('relaybase_ws_lossy_frames_dropped_total') };
}

export async function run(ctx) {
  const measureMs = Math.max(ctx.S.measureMs, 8000);
  const warmMs = 1500;
  // BENCH_FEEDS_NODE_OPTIONS: NODE_OPTIONS for Relaybase only, e.g. `--require <a preload that starts
  // the inspector's CPU profiler>` (Node 20 refuses --cpu-prof in NODE_OPTIONS; see README).
  const prof = process.env.BENCH_FEEDS_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_FEEDS_NODE_OPTIONS } : {};
  const rb = await ctx.startRelaybase({ name: 'relaybase (feeds)', env: { FEED_ALLOW_PRIVATE_HOSTS: 'true', ...prof } });
  const children = [];
  try {
    const email = `bench-feeds-${Date.now()}@example.test`;
    const { token } = await ctx.api('POST', '/api/auth/register', { email, password: 'Correct-Horse-42-Battery', name: 'Bench feeds' });

    const upstream = ctx.spawnPinned(ctx.CLIENT_CPU, [join(ctx.BENCH, 'clients/feed-upstream.mjs'), JSON.stringify({ topics: TOPICS })]);
    children.push(upstream);
    const { port } = await ctx.nextMessage(upstream, 'listening', 20_000);
    const subscribe = '{"type":"subscribe","product_ids":["' + TOPICS.join('","') + '"],"channels":["ticker"]}';
    const feed = (
      await ctx.api(
        'POST',
        '/api/marketplace/feeds',
        { name: 'Bench ticker', category: 'finance', url: `ws://127.0.0.1:${port}/`, enableTopicRouting: true, topicField: 'product_id', connectionMessages: [subscribe] },
        token,
      )
    ).data;

    const subscribedUpstream = ctx.nextMessage(upstream, 'subscribed', 30_000);
    const cfg = { port: ctx.PORT, token, feedId: feed._id, n: SUBSCRIBERS, topics: TOPICS, sampleEvery: 2, concurrency: 50 };
    const subs = ctx.spawnPinned(ctx.CLIENT_CPU, [join(ctx.BENCH, 'clients/feed-subscribers.mjs'), JSON.stringify(cfg)]);
    children.push(subs);
    const ready = await ctx.nextMessage(subs, 'ready', 60_000);
    ctx.log(`feeds: ${ready.n} subscribers ready in ${ready.setupMs.toFixed(0)} ms`);
    const sub = await subscribedUpstream;
    ctx.log(`feeds: upstream connected, subscription ${sub.message}`);
    await ctx.sleep(300);

    const idle = ctx.procStat(rb.pid);
    const upResult = ctx.nextMessage(upstream, 'result', warmMs + measureMs + 60_000);
    upstream.send({ cmd: 'run', rate: OFFERED, durationMs: warmMs + measureMs + 1500 });
    subs.send({ cmd: 'measure', warmupMs: warmMs, durationMs: measureMs });
    await ctx.sleep(warmMs);
    const stopSampling = ctx.sampler(rb.pid);
    const c0 = await counterAtFlush(ctx, feed._id, token);
    const h0 = await hubCounters(ctx);
    const res = await ctx.nextMessage(subs, 'result', measureMs + 30_000);
    const c1 = await counterAtFlush(ctx, feed._id, token);
    const h1 = await hubCounters(ctx);
    const srv = stopSampling();
    const up = await upResult;
    const ingested = (c1.count - c0.count) / ((c1.at - c0.at) / 1000);
    const topics = (await ctx.api('GET', `/api/marketplace/feeds/${feed._id}/topics`, null, token)).data;
    const r = {
      offered: OFFERED,
      ingested,
      fanout: SUBSCRIBERS / TOPICS.length,
      delivered: res.rate,
      p50: res.p50,
      p99: res.p99,
      max: res.max,
      misrouted: res.misrouted,
      lagging: res.lagging,
      serverOut: (h1.out - h0.out) / ((c1.at - c0.at) / 1000),
      lossyDropped: h1.dropped - h0.dropped,
      open: res.open,
      cpu: srv.cpu,
      idleMb: idle.rssMb,
      peakMb: srv.peakMb,
      upstream: up,
      status: c1.status,
      topics: topics.length,
    };
    ctx.results.feeds = r;
    ctx.log(
      `feeds: offered ${ctx.fmtK(OFFERED)}/s (upstream sent ${ctx.fmtK(up.rate)}/s, skipped ${up.skipped}, max unsent ${(up.bufferedMax / 1024).toFixed(0)} KB); ` +
        `ingested ${ctx.fmtK(ingested)}/s; delivered ${ctx.fmtK(res.rate)}/s to ${res.open} subscribers (server wrote ${ctx.fmtK(r.serverOut)}/s, dropped ${r.lossyDropped} for slow readers (${h1.dropped} since start); misrouted ${res.misrouted}, lagging notices ${res.lagging}); ` +
        `p50 ${ctx.ms(res.p50)} p99 ${ctx.ms(res.p99)} max ${ctx.ms(res.max)}; server CPU ${ctx.pct(srv.cpu)}, RSS idle ${idle.rssMb.toFixed(0)} peak ${srv.peakMb.toFixed(0)} MB; ` +
        `${r.topics} topics; status ${JSON.stringify({ state: c1.status.state, oversizedDropped: c1.status.oversizedDropped, messagesWithoutTopic: c1.status.messagesWithoutTopic })}`,
    );
  } finally {
    for (const c of children) {
      try {
        c.send({ cmd: 'exit' });
      } catch {
        /* gone */
      }
    }
    await ctx.sleep(200);
    await Promise.all(children.map((c) => ctx.stop(c)));
    await rb.stop();
  }
}

export function rows(ctx) {
  const r = ctx.results.feeds;
  if (!r) return;
  const expected = r.ingested * r.fanout;
  const complete = r.delivered / expected;
  const met = r.ingested >= TARGET && complete >= 0.98 && r.misrouted === 0;
  ctx.row(
    '8',
    `feeds: one upstream connection at ${ctx.fmtK(r.offered)} msg/s offered (ticker JSON, 10 topics), topic-routed to ${SUBSCRIBERS} subscribers (10 per topic)`,
    `${ctx.fmtK(r.ingested)} msg/s ingested; ${ctx.fmtK(r.delivered)} deliveries/s (${(complete * 100).toFixed(1)}% of ingested x ${r.fanout}), p50 ${ctx.ms(r.p50)}, p99 ${ctx.ms(r.p99)} upstream → subscriber; CPU ${ctx.pct(r.cpu)}, RSS idle ${r.idleMb.toFixed(0)} MB, peak ${r.peakMb.toFixed(0)} MB`,
    `upstream sent ${ctx.fmtK(r.upstream.rate)}/s (skipped ${r.upstream.skipped}); server wrote ${ctx.fmtK(r.serverOut)} frames/s, ${r.lossyDropped} dropped for slow readers; misrouted ${r.misrouted}; ${ctx.ratio(r.ingested, TARGET)} target`,
    '≥ 20,000 msg/s ingested, ≥ 98% of routed deliveries made',
    met,
  );
}
