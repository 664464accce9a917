// Open-loop HTTP publisher (child process). Config in argv[2] as JSON:
// {port, path, rate, durationMs, channel, sign: {key, secret}|null, padBytes, maxInflight}
// Sends `rate` publishes per second (Pusher HTTP API body; signed like the `pusher` SDK when `sign`
// is set), each carrying its send timestamp, for durationMs; reports counts per status over IPC.
import http from 'node:http';
import { createHash, createHmac } from 'node:crypto';
import { now } from '../lib/rawws.mjs';

const cfg = JSON.parse(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: cfg.sockets ?? 32 });
const pad = 'x'.repeat(cfg.padBytes ?? 64);
const status = {};
let sent = 0;
let inflight = 0;
let skipped = 0;
let errors = 0;
let seq = 0;

function signedPath(body) {
  if (!cfg.sign) return cfg.path;
  const md5 = createHash('md5').update(body).digest('hex');
  const q = `auth_key=${cfg.sign.key}&auth_timestamp=${Math.floor(Date.now() / 1000)}&auth_version=1.0&body_md5=${md5}`;
  const sig = createHmac('sha256', cfg.sign.secret).update(`POST\n${cfg.path}\n${q}`).digest('hex');
  return `${cfg.path}?${q}&auth_signature=${sig}`;
}

function publishOne() {
  if (inflight >= (cfg.maxInflight ?? 256)) {
    skipped++;
    return;
  }
  const data = JSON.stringify({ t: now(), s: ++seq, pad });
  const body = JSON.stringify({ name: 'bench', channels: [cfg.channel], data });
  inflight++;
  sent++;
  const req = http.request(
    { host: '127.0.0.1', port: cfg.port, method: 'POST', path: signedPath(body), agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
    (res) => {
      status[res.statusCode] = (status[res.statusCode] ?? 0) + 1;
      res.resume();
      res.on('end', () => inflight--);
    },
  );
  req.on('error', () => {
    errors++;
    inflight--;
  });
  req.end(body);
}

const t0 = now();
const end = t0 + cfg.durationMs;
let due = 0;
function tick() {
  const t = now();
  if (t >= end) return finish();
  const target = Math.floor(((t - t0) / 1000) * cfg.rate);
  while (due < target) {
    publishOne();
    due++;
  }
  setTimeout(tick, 1);
}

function finish() {
  const waitUntil = now() + 3000;
  const check = () => {
    if (inflight > 0 && now() < waitUntil) return setTimeout(check, 20);
    process.send({ type: 'result', sent, skipped, errors, status, inflight, rate: sent / (cfg.durationMs / 1000) }, () => process.exit(0));
  };
  check();
}

tick();
process.on('disconnect', () => process.exit(0));
