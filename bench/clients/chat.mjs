// Chat load generator (child process; target 4). Config in argv[2] as JSON:
// {port, tenantKey, jwtSecret, n, rooms, concurrency, padBytes}
// Opens n native-protocol connections (`/ws/<tenantKey>?jwt=<end-user token>`, user u<i>), each
// joins room `bench-<i div (n/rooms)>` (n/rooms members per room). Then, on
// {cmd:'measure', rate, warmupMs, durationMs}, sends `message` frames open-loop at `rate` per second
// in total, round-robin over the connections, each with a clientMessageId and its send time `t` in
// the payload; counts `sent` acks (committed), `error` answers and `message` deliveries, with
// send→ack and send→deliver latency on every frame. Replies 'result'; {cmd:'exit'} ends it.
import { createHmac } from 'node:crypto';
import { connect, Histogram, maskedText, now, openAll, startClient } from '../lib/rawws.mjs';

const cfg = JSON.parse(process.argv[2]);
const perRoom = Math.max(1, Math.floor(cfg.n / cfg.rooms));
const pad = 'x'.repeat(cfg.padBytes ?? 64);
const MAX_QUEUED = 64; // per connection: unanswered sends beyond this are counted as skipped
const conns = [];

let measuring = false;
let acked = 0;
let delivered = 0;
let errors = 0;
const errorTexts = new Map();
let ackHist = new Histogram();
let deliverHist = new Histogram();
/** Send→deliver latency per second since the load started (warm-up included), to show when a tail happened. */
let perSecond = [];
let loadStart = 0;
let loadEnd = 0;

const b64url = (s) => Buffer.from(s).toString('base64url');
function token(sub) {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify({ sub, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 3600 }));
  const sig = createHmac('sha256', cfg.jwtSecret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

const PAYLOAD_T = Buffer.from('"payload":{"t":');

/** The number at buf[i..] (digits and one '.'), parsed without making a string. */
function numberAt(buf, i, end) {
  let v = 0;
  let scale = 0;
  for (; i < end; i++) {
    const c = buf[i];
    if (c === 0x2e) scale = 1;
    else if (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      if (scale) scale *= 10;
    } else break;
  }
  return scale ? v / scale : v;
}

function onFrame(conn, buf, start, end) {
  if (conn.setup) return conn.setup(buf.toString('utf8', start, end));
  // Every frame starts with {"type":" (9 bytes); the type's first letters tell them apart.
  const c = buf[start + 9];
  if (c === 0x73 /* s: sent */ && buf[start + 10] === 0x65) {
    const t = conn.sentAt.shift();
    conn.queued--;
    if (measuring) {
      acked++;
      ackHist.add(now() - t);
    }
  } else if (c === 0x6d /* m */ && buf[start + 11] === 0x73 /* message, not member_* */) {
    if (measuring) delivered++;
    const i = buf.indexOf(PAYLOAD_T, start);
    if (i < 0 || i >= end) return;
    const t = now();
    const latency = t - numberAt(buf, i + PAYLOAD_T.length, end);
    if (measuring) deliverHist.add(latency);
    // Only while the load runs: afterwards this process is busy computing the result.
    if (t < loadEnd) (perSecond[Math.floor((t - loadStart) / 1000)] ??= new Histogram()).add(latency);
  } else if (c === 0x65 /* e: error */) {
    const text = buf.toString('utf8', start, end);
    conn.sentAt.shift();
    conn.queued--;
    errors++;
    if (errorTexts.size < 5) errorTexts.set(text, (errorTexts.get(text) ?? 0) + 1);
  }
}

function open(i) {
  const path = `/ws/${cfg.tenantKey}?jwt=${token(`u${i}`)}`;
  const room = `bench-${Math.floor(i / perRoom)}`;
  return connect({ port: cfg.port, path, onFrame }).then(
    (conn) =>
      new Promise((resolve, reject) => {
        Object.assign(conn, { i, room, seq: 0, queued: 0, sentAt: [] });
        conns.push(conn);
        const timer = setTimeout(() => reject(new Error('chat setup timeout')), 30_000);
        conn.setup = (text) => {
          const msg = JSON.parse(text);
          if (msg.type === 'connected') conn.send(JSON.stringify({ type: 'join', room }));
          else if (msg.type === 'joined') {
            clearTimeout(timer);
            conn.setup = null;
            resolve();
          } else if (msg.type === 'error') {
            clearTimeout(timer);
            reject(new Error(`join failed: ${text}`));
          }
        };
      }),
  );
}

const setupAll = () => openAll(cfg.n, cfg.concurrency ?? 100, open);

let cursor = 0;
let sent = 0;
let skipped = 0;
function sendOne() {
  const conn = conns[cursor];
  cursor = (cursor + 1) % conns.length;
  if (conn.closed || conn.queued >= MAX_QUEUED) {
    skipped++;
    return;
  }
  const t = now();
  conn.sentAt.push(t);
  conn.queued++;
  sent++;
  const id = `${conn.i}-${++conn.seq}`;
  conn.socket.write(maskedText(`{"type":"message","room":"${conn.room}","clientMessageId":"${id}","payload":{"t":${t},"pad":"${pad}"}}`));
}

function measure({ rate, warmupMs, durationMs }) {
  const t0 = now();
  const end = t0 + warmupMs + durationMs;
  loadStart = t0;
  loadEnd = end;
  perSecond = [];
  let due = 0;
  let counters = null;
  const tick = () => {
    const t = now();
    if (t >= end) return;
    const target = Math.floor(((t - t0) / 1000) * rate);
    while (due < target) {
      sendOne();
      due++;
    }
    setTimeout(tick, 1);
  };
  tick();
  setTimeout(() => {
    acked = 0;
    delivered = 0;
    errors = 0;
    ackHist = new Histogram();
    deliverHist = new Histogram();
    counters = { sent, skipped, t: now() };
    measuring = true;
  }, warmupMs);
  setTimeout(() => {
    measuring = false;
    const secs = (now() - counters.t) / 1000;
    const backlog = conns.reduce((n, c) => n + c.queued, 0);
    process.send({
      type: 'result',
      secs,
      offered: rate,
      sentRate: (sent - counters.sent) / secs,
      skipped: skipped - counters.skipped,
      acked,
      ackRate: acked / secs,
      delivered,
      deliverRate: delivered / secs,
      errors,
      errorTexts: [...errorTexts.entries()],
      backlog,
      ackP50: ackHist.pct(50),
      ackP99: ackHist.pct(99),
      p50: deliverHist.pct(50),
      p99: deliverHist.pct(99),
      max: deliverHist.pct(100),
      samples: deliverHist.count,
      perSecond: Array.from(perSecond, (h) => (h ? { n: h.count, p99: h.pct(99), max: h.pct(100) } : { n: 0, p99: NaN, max: NaN })),
      open: conns.filter((c) => !c.closed).length,
      totalSent: sent,
    });
  }, warmupMs + durationMs);
}

process.on('message', (m) => {
  if (m.cmd === 'measure') measure(m);
  else if (m.cmd === 'drain') {
    // Wait until every send has its answer (or give up), then report the totals.
    const until = now() + (m.timeoutMs ?? 5000);
    const check = () => {
      const backlog = conns.reduce((n, c) => n + c.queued, 0);
      if (backlog > 0 && now() < until) return setTimeout(check, 20);
      process.send({ type: 'drained', backlog, totalSent: sent });
    };
    check();
  } else if (m.cmd === 'exit') {
    for (const c of conns) c.socket.destroy();
    process.exit(0);
  }
});

startClient(setupAll, conns);
