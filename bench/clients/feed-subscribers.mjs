// Feed subscriber load generator (child process). Config in argv[2] as JSON:
// {port, token, feedId, n, topics: string[], sampleEvery, concurrency}
// Opens n native WebSocket connections (`/ws?token=<account JWT>`); connection i sends seed 003's
// `subscribe-topic` for topics[i % topics.length] with `includeData: true` (the topic's routed data).
// IPC: 'ready' once all are subscribed; {cmd:'measure', warmupMs, durationMs} -> 'result' with
// feed-data deliveries, their rate, latency (receive time minus the upstream's `t` inside the data,
// on every `sampleEvery`-th connection), frames of another topic (misrouted) and lagging notices
// (other frames, such as the topics' llm-intelligence, are not counted).
import { connect, Histogram, now, openAll, startClient } from '../lib/rawws.mjs';

const cfg = JSON.parse(process.argv[2]);
const conns = [];
let measuring = false;
let delivered = 0;
let misrouted = 0;
let lagging = 0;
let hist = new Histogram();
let perSecond = [];

const F = 'f'.charCodeAt(0);
const L = 'l'.charCodeAt(0);
const A = 'a'.charCodeAt(0);
const T_FIELD = Buffer.from('"t":');

/** The number after `"t":` in the frame, read without decoding the frame. */
function sendTime(buf, start, end) {
  const at = buf.indexOf(T_FIELD, start);
  if (at === -1 || at >= end) return NaN;
  let i = at + 4;
  const from = i;
  while (i < end && ((buf[i] >= 48 && buf[i] <= 57) || buf[i] === 46)) i++;
  return Number(buf.toString('latin1', from, i));
}

function onFrame(conn, buf, start, end) {
  if (conn.setup) return conn.setup(buf.toString('utf8', start, end));
  // `{"type":"feed-data"...` / `{"type":"lagging"...` / `{"type":"llm-intelligence"...`: bytes 10-11 tell them apart.
  const kind = buf[start + 9];
  if (kind === L && buf[start + 10] === A) lagging++;
  if (kind !== F || !measuring) return;
  delivered++;
  if (conn.sampled) {
    const t = sendTime(buf, start, end);
    if (t === t) hist.add(now() - t);
    if (buf.indexOf(conn.topicMark, start) === -1 || buf.indexOf(conn.topicMark, start) >= end) misrouted++;
  }
}

function open(i) {
  return connect({ port: cfg.port, path: `/ws?token=${encodeURIComponent(cfg.token)}`, onFrame }).then(
    (conn) =>
      new Promise((resolve, reject) => {
        const topic = cfg.topics[i % cfg.topics.length];
        conn.sampled = i % cfg.sampleEvery === 0;
        conn.topicMark = Buffer.from(`"topic":${JSON.stringify(topic)}`);
        conns.push(conn);
        const timer = setTimeout(() => reject(new Error('feed subscribe timeout')), 30_000);
        conn.setup = (text) => {
          const msg = JSON.parse(text);
          if (msg.type === 'connected') {
            conn.send(JSON.stringify({ type: 'subscribe-topic', payload: { feedId: cfg.feedId, topic, includeData: true } }));
          } else if (msg.type === 'subscription-success') {
            clearTimeout(timer);
            conn.setup = null;
            resolve();
          } else if (msg.type === 'error' || msg.type === 'auth_error') {
            clearTimeout(timer);
            reject(new Error(`subscribe failed: ${text}`));
          }
        };
      }),
  );
}

const setupAll = () => openAll(cfg.n, cfg.concurrency ?? 50, open);

process.on('message', (m) => {
  if (m.cmd === 'measure') {
    setTimeout(() => {
      delivered = 0;
      misrouted = 0;
      lagging = 0;
      hist = new Histogram();
      perSecond = [];
      measuring = true;
      const t0 = now();
      let last = 0;
      const tick = setInterval(() => {
        perSecond.push(delivered - last);
        last = delivered;
      }, 1000);
      setTimeout(() => {
        clearInterval(tick);
        measuring = false;
        const secs = (now() - t0) / 1000;
        process.send({
          type: 'result',
          delivered,
          rate: delivered / secs,
          perSecond,
          samples: hist.count,
          p50: hist.pct(50),
          p99: hist.pct(99),
          max: hist.pct(100),
          misrouted,
          lagging,
          open: conns.filter((c) => !c.closed).length,
        });
      }, m.durationMs);
    }, m.warmupMs);
  } else if (m.cmd === 'exit') {
    for (const c of conns) c.socket.destroy();
    process.exit(0);
  }
});

startClient(setupAll, conns);
