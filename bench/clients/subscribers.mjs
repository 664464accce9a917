// Subscriber load generator (child process). Config in argv[2] as JSON:
// {proto: 'pusher'|'raw'|'sio', port, ports?: number[], path, n, channels: string[], sampleEvery, concurrency}
// With `ports`, connection i goes to ports[i % ports.length] (several instances, no proxy).
// Talks to the orchestrator over IPC: 'ready' after every connection is subscribed; then
// {cmd:'measure', warmupMs, durationMs} -> 'result'; {cmd:'exit'}.
import { connect, Histogram, maskedText, now, timestampOf, openAll, startClient } from '../lib/rawws.mjs';

const cfg = JSON.parse(process.argv[2]);
const conns = [];
let measuring = false;
let delivered = 0;
let hist = new Histogram();
let perSecond = [];

const PING_SIO = '2'.charCodeAt(0);

function onFrame(conn, buf, start, end) {
  if (conn.setup) return conn.setup(buf.toString('utf8', start, end));
  if (cfg.proto === 'sio' && end - start === 1 && buf[start] === PING_SIO) return conn.send('3');
  if (!measuring) return;
  delivered++;
  if (conn.sampled) {
    const t = timestampOf(buf, start, end);
    if (t === t) hist.add(now() - t);
  }
}

function open(i) {
  const path = cfg.proto === 'sio' ? '/socket.io/?EIO=4&transport=websocket' : cfg.path;
  const port = cfg.ports ? cfg.ports[i % cfg.ports.length] : cfg.port;
  return connect({ port, path, onFrame }).then(
    (conn) =>
      new Promise((resolve, reject) => {
        conn.sampled = i % cfg.sampleEvery === 0;
        conns.push(conn);
        const timer = setTimeout(() => reject(new Error(`setup timeout (${cfg.proto})`)), 30_000);
        const done = () => {
          clearTimeout(timer);
          conn.setup = null;
          resolve();
        };
        if (cfg.proto === 'raw') return done();
        if (cfg.proto === 'sio') {
          conn.setup = (text) => {
            if (text.startsWith('0{')) conn.send('40');
            else if (text.startsWith('40')) done();
            else if (text === '2') conn.send('3');
          };
          return;
        }
        let pending = cfg.channels.length;
        conn.setup = (text) => {
          const msg = JSON.parse(text);
          if (msg.event === 'pusher:connection_established') {
            // All subscribes in one write (one syscall), as a client that subscribes on connect would batch them.
            const frames = cfg.channels.map((channel) => maskedText(JSON.stringify({ event: 'pusher:subscribe', data: { channel: channel.replace('{g}', String(i % 100)) } })));
            conn.socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
          } else if (msg.event === 'pusher_internal:subscription_succeeded') {
            if (--pending === 0) done();
          } else if (msg.event === 'pusher:error' || msg.event === 'pusher:subscription_error') {
            clearTimeout(timer);
            reject(new Error(`subscribe failed: ${text}`));
          }
        };
      }),
  );
}

const setupAll = () => openAll(cfg.n, cfg.concurrency ?? 100, open);

process.on('message', (m) => {
  if (m.cmd === 'measure') {
    measuring = false;
    setTimeout(() => {
      delivered = 0;
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
