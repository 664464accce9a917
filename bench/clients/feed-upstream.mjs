// Fake upstream feed provider (child process; a third-party stand-in, like an exchange's ticker
// WebSocket). Config in argv[2] as JSON: {topics: string[]}.
// Listens on a loopback port ('listening' {port} over IPC); a client that connects and sends its
// subscription message is reported ('subscribed' {message}). Then {cmd:'run', rate, durationMs}
// sends Coinbase-ticker-shaped JSON messages open-loop at `rate`/s, product_id cycling through
// `topics`, each carrying `t` (the send time, performance.timeOrigin + performance.now()), to every
// subscribed connection; writes are corked per timer tick the way a provider's TCP stream batches.
// Messages that would go beyond 32 MB unsent on a socket are not sent and counted as `skipped`
// (the server is not reading fast enough). Reports 'result' {sent, skipped, rate, bufferedMax}.
import { WebSocketServer } from 'ws';
import { now } from '../lib/rawws.mjs';

const cfg = JSON.parse(process.argv[2]);
const topics = cfg.topics;
const MAX_BUFFERED = 32 * 1024 * 1024;
const subscribed = new Set();
const prices = topics.map((_, i) => 100 + i * 250);
let seq = 93483876225;
let tradeId = 769630264;

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('listening', () => process.send({ type: 'listening', port: wss.address().port }));
wss.on('connection', (ws) => {
  ws.on('error', () => undefined);
  ws.once('message', (data) => {
    subscribed.add(ws);
    process.send({ type: 'subscribed', message: data.toString() });
  });
  ws.on('close', () => subscribed.delete(ws));
});

/** One ticker message; `i` picks the product. Built by concatenation, as a provider's encoder would. */
function message(i) {
  const k = i % topics.length;
  const p = (prices[k] += (Math.random() - 0.5) * 0.02 * prices[k] * 0.01);
  const price = p.toFixed(2);
  return (
    `{"type":"ticker","t":${now()},"sequence":${++seq},"product_id":"${topics[k]}","price":"${price}",` +
    `"open_24h":"${(p * 0.985).toFixed(2)}","volume_24h":"25643.12345678","low_24h":"${(p * 0.97).toFixed(2)}","high_24h":"${(p * 1.02).toFixed(2)}",` +
    `"best_bid":"${(p - 0.01).toFixed(2)}","best_ask":"${(p + 0.01).toFixed(2)}","side":"${seq & 1 ? 'buy' : 'sell'}",` +
    `"time":"${new Date().toISOString()}","trade_id":${++tradeId},"last_size":"0.001"}`
  );
}

function run(rate, durationMs) {
  let sent = 0;
  let skipped = 0;
  let bufferedMax = 0;
  let due = 0;
  let n = 0;
  const t0 = now();
  const end = t0 + durationMs;
  const tick = () => {
    const t = now();
    if (t >= end) {
      process.send({ type: 'result', sent, skipped, rate: sent / ((t - t0) / 1000), bufferedMax });
      return;
    }
    const target = Math.floor(((t - t0) / 1000) * rate);
    const sockets = [...subscribed];
    for (const ws of sockets) ws._socket?.cork();
    while (due < target) {
      due++;
      const text = message(n++);
      for (const ws of sockets) {
        if (ws.bufferedAmount > MAX_BUFFERED) {
          skipped++;
          continue;
        }
        ws.send(text);
        sent++;
      }
    }
    for (const ws of sockets) {
      bufferedMax = Math.max(bufferedMax, ws.bufferedAmount);
      ws._socket?.uncork();
    }
    setTimeout(tick, 1);
  };
  tick();
}

process.on('message', (m) => {
  if (m.cmd === 'run') run(m.rate, m.durationMs);
  else if (m.cmd === 'exit') {
    for (const ws of subscribed) ws.terminate();
    wss.close();
    process.exit(0);
  }
});
// Never outlive the orchestrator.
process.on('disconnect', () => process.exit(0));
