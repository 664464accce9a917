// Relaybase benchmark harness: `npm run bench` (quick) / `npm run bench:full` (the issue's sizes).
// Starts the baselines and Relaybase itself, pinned to core 0; subscribers, publishers and wrk run
// pinned to core 1. Appends a results table to bench/RESULTS.md. See bench/README.md.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, totalmem, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = join(ROOT, 'bench');
const FULL = process.argv.includes('--full');
const ONLY = (process.argv.find((a) => a.startsWith('--only=')) ?? '').slice(7).split(',').filter(Boolean);
const SERVER_CPU = '0';
const CLIENT_CPU = '1';
/** What `npm start` runs: the bundled server (scripts/bundle.mjs). */
const SERVER_ENTRY = process.env.BENCH_SERVER_ENTRY ?? 'dist/relaybase.js';
const PORT = Number(process.env.BENCH_PORT ?? 29100);
const PG = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS = process.env.BENCH_REDIS ?? 'redis://127.0.0.1:6379';
const DB = process.env.BENCH_DB ?? 'relaybase_bench';
// e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the Relaybase processes (written when they exit).
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);

const S = FULL
  ? { fanSubs: 1000, fanRate: 1000, measureMs: 10_000, warmMs: 1000, lat: [[1000, 50], [5000, 10], [10, 2000]], conns: 10_000, restMs: 10_000, overloadMs: 10_000 }
  : { fanSubs: 1000, fanRate: 1000, measureMs: 3000, warmMs: 1000, lat: [[1000, 50], [5000, 10], [10, 2000]], conns: 10_000, restMs: 3000, overloadMs: 4000 };

const children = new Set();
const rows = [];
const notes = [];
const log = (...a) => console.log('[bench]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const want = (name) => ONLY.length === 0 || ONLY.includes(name);

// ---------- processes ----------
function spawnPinned(cpu, args, env = {}, ipc = true) {
  const child = spawn('taskset', ['-c', cpu, process.execPath, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ipc ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'inherit', 'inherit'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

function nextMessage(child, type, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${type}`)), timeoutMs);
    const onMsg = (m) => {
      if (m.type === type || m.type === 'error') {
        clearTimeout(timer);
        child.off('message', onMsg);
        if (m.type === 'error') reject(new Error(m.message));
        else resolve(m);
      }
    };
    child.on('message', onMsg);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before ${type}`)));
  });
}

async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(12_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function procStat(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  return { cpuSec: ticks / 100, rssMb: rssKb / 1024 };
}

/** Samples a pid's RSS every 100 ms; stop() gives peak RSS and CPU share over the window. */
function sampler(pid) {
  const start = procStat(pid);
  const t0 = performance.now();
  let peak = start.rssMb;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, procStat(pid).rssMb);
    } catch {
      /* exited */
    }
  }, 100);
  return () => {
    clearInterval(timer);
    const end = procStat(pid);
    peak = Math.max(peak, end.rssMb);
    return { cpu: (end.cpuSec - start.cpuSec) / ((performance.now() - t0) / 1000), peakMb: peak, startMb: start.rssMb, endMb: end.rssMb };
  };
}

async function waitHttp(url, timeoutMs = 60_000) {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    try {
      const r = await fetch(url);
      if (r.status === 200) return performance.now() - t0;
    } catch {
      /* not yet */
    }
    await sleep(25);
  }
  throw new Error(`${url} not up in ${timeoutMs} ms`);
}

// ---------- servers ----------
async function startBaseline(mode) {
  const child = spawnPinned(SERVER_CPU, [join(BENCH, 'servers/baselines.mjs'), mode, String(PORT)]);
  await nextMessage(child, 'listening', 20_000);
  return { name: mode, child, pid: child.pid, proto: mode === 'sio' ? 'sio' : 'raw', path: '/', publishPath: '/publish', sign: null, stop: () => stop(child) };
}

function relaybaseEnv(extra) {
  return {
    NODE_ENV: 'production',
    PORT: String(PORT),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
    ENCRYPTION_KEY: 'bench-encryption-key-0123456789abcdef012345',
    SWAGGER_ENABLED: 'false',
    RATE_LIMIT_TRIGGER_PER_SECOND: '1000000000',
    RATE_LIMIT_TRIGGER_PER_MINUTE: '1000000000',
    ...extra,
  };
}

function freshDb() {
  execFileSync('psql', [`${PG}/postgres`, '-qc', `DROP DATABASE IF EXISTS ${DB}`], { stdio: 'ignore' });
  execFileSync('psql', [`${PG}/postgres`, '-qc', `CREATE DATABASE ${DB}`], { stdio: 'ignore' });
}

async function api(method, path, body, token) {
  const r = await fetch(`http://127.0.0.1:${PORT}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await r.json().catch(() => null);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

let tenantCache = null;
async function startRelaybase({ redis = false, name = 'relaybase', reuseDb = false, env: extraEnv = {} } = {}) {
  if (!reuseDb || !tenantCache) freshDb();
  const env = { DATABASE_URL: `${PG}/${DB}`, ...extraEnv };
  if (redis) Object.assign(env, { REDIS_URL: REDIS, REDIS_KEY_PREFIX: extraEnv.REDIS_KEY_PREFIX ?? `rbbench${randomBytes(3).toString('hex')}` });
  log(`starting ${name}`);
  const child = spawnPinned(SERVER_CPU, [...SERVER_NODE_ARGS, SERVER_ENTRY], relaybaseEnv(env), false);
  const upMs = await waitHttp(`http://127.0.0.1:${PORT}/health`, 60_000);
  if (!reuseDb || !tenantCache) {
    const email = `bench-${randomBytes(4).toString('hex')}@example.test`;
    const { token } = await api('POST', '/api/auth/register', { email, password: 'Correct-Horse-42-Battery', name: 'Bench' });
    const created = await api('POST', '/api/tenants', { name: 'bench', plan: 'enterprise' }, token);
    const t = created.data;
    await api('PATCH', `/api/tenants/${t.id}`, { limits: { maxConnections: 1_000_000, maxChannelsPerConnection: 100 } }, token);
    tenantCache = t;
  }
  const t = tenantCache;
  log(`${name} up in ${upMs.toFixed(0)} ms, tenant ${t.appId}`);
  return {
    name,
    child,
    pid: child.pid,
    proto: 'pusher',
    path: `/app/${t.key}?protocol=7&client=bench&version=1`,
    publishPath: `/apps/${t.appId}/events`,
    sign: { key: t.key, secret: t.secret },
    tenant: t,
    stop: () => stop(child),
  };
}

// ---------- load ----------
async function subscribers(server, n, channels, { sampleEvery = 10, concurrency = 100 } = {}) {
  // `ports`: several instances without a proxy; connection i goes to ports[i % ports.length].
  const cfg = { proto: server.proto, port: PORT, ports: server.ports, path: server.path, n, channels, sampleEvery, concurrency };
  const child = spawnPinned(CLIENT_CPU, [join(BENCH, 'clients/subscribers.mjs'), JSON.stringify(cfg)]);
  const ready = await nextMessage(child, 'ready', 180_000);
  log(`${server.name}: ${ready.n} connections ready in ${ready.setupMs.toFixed(0)} ms`);
  return { child, ready };
}

function publisher(server, rate, durationMs, channel) {
  const cfg = { port: PORT, path: server.publishPath, rate, durationMs, channel, sign: server.sign, padBytes: 64, maxInflight: 256 };
  const child = spawnPinned(CLIENT_CPU, [join(BENCH, 'clients/publisher.mjs'), JSON.stringify(cfg)]);
  return nextMessage(child, 'result', durationMs + 30_000);
}

/** Subscribers on `channel`, a publisher at `rate`/s; returns delivery rate, latency, server CPU/RSS. */
async function fanRun(server, subs, rate, { measureMs = S.measureMs, warmMs = S.warmMs } = {}) {
  const channel = 'bench';
  const { child: sub } = await subscribers(server, subs, [channel]);
  await sleep(300);
  const idle = procStat(server.pid);
  const stopSampling = sampler(server.pid);
  const pubP = publisher(server, rate, warmMs + measureMs + 300, channel);
  sub.send({ cmd: 'measure', warmupMs: warmMs, durationMs: measureMs });
  const res = await nextMessage(sub, 'result', warmMs + measureMs + 30_000);
  const srv = stopSampling();
  const pub = await pubP;
  sub.send({ cmd: 'exit' });
  await sleep(200);
  const r = { ...res, offered: subs * rate, cpu: srv.cpu, idleMb: idle.rssMb, peakMb: srv.peakMb, pub };
  log(`${server.name} fan subs=${subs} rate=${rate}: ${fmtK(r.rate)}/s p50=${ms(r.p50)} p99=${ms(r.p99)} cpu=${pct(r.cpu)} rss idle ${r.idleMb.toFixed(0)} peak ${r.peakMb.toFixed(0)} MB, pub ${JSON.stringify(pub.status)} skipped=${pub.skipped}`);
  return r;
}

async function connRun(server, n) {
  await sleep(500);
  const before = procStat(server.pid);
  const channels = server.proto === 'pusher' ? ['all', 'room-{g}'] : [];
  const { child, ready } = await subscribers(server, n, channels, { concurrency: 200 });
  await sleep(2000);
  const after = procStat(server.pid);
  child.send({ cmd: 'exit' });
  await sleep(1500);
  const r = { n: ready.n, setupMs: ready.setupMs, rate: ready.n / (ready.setupMs / 1000), kbPerConn: ((after.rssMb - before.rssMb) * 1024) / ready.n, beforeMb: before.rssMb, afterMb: after.rssMb };
  log(`${server.name} conns ${r.n}: ${r.kbPerConn.toFixed(1)} KB/conn, ${fmtK(r.rate)}/s connect+subscribe`);
  return r;
}

async function restRun(server, path, body) {
  const script = join(mkdtempSync(join(tmpdir(), 'rbbench-')), 'post.lua');
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\n`);
  const secs = Math.round(S.restMs / 1000);
  const wrk = (d) => execFileSync('taskset', ['-c', CLIENT_CPU, 'wrk', '-t1', '-c32', `-d${d}s`, '--latency', '-s', script, `http://127.0.0.1:${PORT}${path}`], { encoding: 'utf8' });
  // The first second is warm-up, as in every other window: the same load, not counted.
  wrk(Math.round(S.warmMs / 1000));
  const stopSampling = sampler(server.pid);
  const out = wrk(secs);
  const srv = stopSampling();
  rmSync(dirname(script), { recursive: true, force: true });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const p99 = /99%\s+([\d.]+\w+)/.exec(out)?.[1] ?? '?';
  log(`${server.name} REST ${fmtK(rps)} req/s non2xx=${non2xx} p99=${p99} cpu=${pct(srv.cpu)}`);
  return { rps, non2xx, p99, cpu: srv.cpu };
}

function signedUrl(path, body, key, secret) {
  const md5 = createHashHex('md5', body);
  const q = `auth_key=${key}&auth_timestamp=${Math.floor(Date.now() / 1000)}&auth_version=1.0&body_md5=${md5}`;
  const sig = createHmacHex(secret, `POST\n${path}\n${q}`);
  return `${path}?${q}&auth_signature=${sig}`;
}
import { createHash, createHmac } from 'node:crypto';
const createHashHex = (alg, s) => createHash(alg).update(s).digest('hex');
const createHmacHex = (k, s) => createHmac('sha256', k).update(s).digest('hex');

// ---------- formatting ----------
const fmtK = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : `${x.toFixed(0)}`);
const ms = (x) => (Number.isFinite(x) ? `${x.toFixed(x < 10 ? 2 : 0)} ms` : 'n/a');
const pct = (x) => `${(x * 100).toFixed(0)}%`;
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a');
function row(target, what, measured, baselines, goal, met) {
  rows.push({ target, what, measured, baselines, goal, met: met === null ? 'not measured' : met ? '**met**' : '**not met**' });
}

// ---------- scenarios ----------
const results = {};

async function scenarioFanout() {
  const fan = {};
  for (const mode of want('fanout') ? ['ws', 'ws-cork', 'sio'] : []) {
    const srv = await startBaseline(mode);
    try {
      fan[mode] = await fanRun(srv, S.fanSubs, S.fanRate);
    } finally {
      await srv.stop();
    }
  }
  const rb = await startRelaybase();
  try {
    if (want('fanout')) {
      fan.rb = await fanRun(rb, S.fanSubs, S.fanRate);
      results.fan = fan;
    }
    const sub = async (name, fn) => {
      if (!want(name)) return;
      try {
        await fn();
      } catch (e) {
        notes.push(`${name} (Relaybase part) failed: ${e.message}`);
        log(`${name} failed:`, e);
      }
    };
    // Overload (target 7): twice the offered publish rate of the fan-out run.
    await sub('overload', async () => {
      await eventLoopMax(); // reset the max since the last scrape
      const over = await fanRun(rb, S.fanSubs, S.fanRate * 2, { measureMs: S.overloadMs });
      results.over = { ...over, lagMax: await eventLoopMax() };
    });
    await sub('latency', () => scenarioLatency(rb));
  } finally {
    await rb.stop();
  }
}

async function eventLoopMax() {
  try {
    const text = await (await fetch(`http://127.0.0.1:${PORT}/metrics`)).text();
    const m = /^(?:relaybase_)?nodejs_eventloop_lag_max_seconds\s+([\d.e+-]+)/m.exec(text);
    return m ? Number(m[1]) * 1000 : NaN;
  } catch {
    return NaN;
  }
}

async function scenarioLatency(rb) {
  results.lat = results.lat ?? { rb: [], ws: [] };
  for (const [subs, rate] of S.lat) results.lat.rb.push({ subs, pubRate: rate, ...(await fanRun(rb, subs, rate)) });
}

async function scenarioLatencyBaseline() {
  results.lat = results.lat ?? { rb: [], ws: [] };
  const srv = await startBaseline('ws');
  try {
    for (const [subs, rate] of S.lat) results.lat.ws.push({ subs, pubRate: rate, ...(await fanRun(srv, subs, rate)) });
  } finally {
    await srv.stop();
  }
}

// Target 6. Bare http and Relaybase are measured in alternating rounds, each on a fresh process right
// after the other, and the row gives the median of the rounds' ratios: on a shared VM the bare
// server's rate drifts by a fifth from minute to minute, so one reading of each, minutes apart,
// compared the machine's drift as much as the servers.
const REST_ROUNDS = Number(process.env.BENCH_REST_ROUNDS ?? (FULL ? 3 : 1));
const REST_BODY = JSON.stringify({ name: 'bench', channels: ['rest-bench'], data: JSON.stringify({ t: 0, pad: 'x'.repeat(64) }) });

async function scenarioRest() {
  results.rest = [];
  for (let round = 0; round < REST_ROUNDS; round++) {
    try {
      const rb = await startRelaybase({ reuseDb: true });
      let rbRun;
      try {
        rbRun = await restRun(rb, signedUrl(rb.publishPath, REST_BODY, rb.sign.key, rb.sign.secret), REST_BODY);
      } finally {
        await rb.stop();
      }
      const srv = await startBaseline('http');
      try {
        results.rest.push({ rb: rbRun, bare: await restRun(srv, '/apps/1/events', REST_BODY) });
      } finally {
        await srv.stop();
      }
    } catch (e) {
      notes.push(`rest round ${round + 1} failed: ${e.message}`);
      log('rest round failed:', e);
    }
  }
}

async function scenarioConnBaselines() {
  // Relaybase on a fresh process (earlier scenarios leave a grown heap that would hide the cost).
  const rb = await startRelaybase({ reuseDb: true });
  try {
    results.rbConn = await connRun(rb, S.conns);
  } finally {
    await rb.stop();
  }
  for (const mode of ['ws', 'sio']) {
    const srv = await startBaseline(mode);
    try {
      results[`conn_${mode}`] = await connRun(srv, S.conns);
    } finally {
      await srv.stop();
    }
  }
}

// Target 5. Each round starts Relaybase without Redis, with Redis, and as two instances sharing
// DATABASE_URL and REDIS_URL (second one on PORT + 1, both on the server core; subscribers split
// between them, the publisher on the first), and measures the same fan-out and latency runs on
// each, back to back, so that the ratios compare runs minutes apart rather than a whole bench apart.
const SCALE_ROUNDS = Number(process.env.BENCH_SCALE_ROUNDS ?? (FULL ? 3 : 1));

async function startSecondInstance(prefix) {
  const port = PORT + 1;
  const env = relaybaseEnv({ PORT: String(port), DATABASE_URL: `${PG}/${DB}`, REDIS_URL: REDIS, REDIS_KEY_PREFIX: prefix });
  const child = spawnPinned(SERVER_CPU, [...SERVER_NODE_ARGS, SERVER_ENTRY], env, false);
  await waitHttp(`http://127.0.0.1:${port}/health`, 60_000);
  return { child, port, stop: () => stop(child) };
}

async function scaleOutRun(kind) {
  const prefix = `rbbench${randomBytes(3).toString('hex')}`;
  const name = { none: 'relaybase', redis: 'relaybase+redis', two: 'relaybase x2+redis' }[kind];
  const rb = await startRelaybase({ redis: kind !== 'none', name, reuseDb: true, env: { REDIS_KEY_PREFIX: prefix } });
  let second = null;
  try {
    let server = rb;
    if (kind === 'two') {
      second = await startSecondInstance(prefix);
      server = { ...rb, name, ports: [PORT, second.port] };
    }
    const fan = await fanRun(server, S.fanSubs, S.fanRate);
    const lat = await fanRun(server, S.lat[0][0], S.lat[0][1]);
    return { fan, lat };
  } finally {
    await second?.stop();
    await rb.stop();
  }
}

async function scenarioScaleOut() {
  if (results.scale) return; // 'redis' and 'twoinst' share one interleaved series
  const kinds = ['none', ...(want('redis') ? ['redis'] : []), ...(want('twoinst') ? ['two'] : [])];
  results.scale = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let round = 0; round < SCALE_ROUNDS; round++) {
    for (const kind of kinds) {
      try {
        results.scale[kind].push(await scaleOutRun(kind));
      } catch (e) {
        // One failed start (e.g. a shared machine's load) leaves the other rounds' medians.
        notes.push(`scale-out round ${round + 1} (${kind}) failed: ${e.message}`);
        log(`scale-out ${kind} failed:`, e);
      }
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function scaleOutRows() {
  const sc = results.scale;
  if (!sc?.none?.length) {
    row('5', 'scale-out with Redis', 'not run', '-', '≥ 0.95x, +2 ms p99', null);
    return;
  }
  const stat = (runs) => ({
    rate: median(runs.map((r) => r.fan.rate)),
    fanP99: median(runs.map((r) => r.fan.p99)),
    p99: median(runs.map((r) => r.lat.p99)),
    rates: runs.map((r) => fmtK(r.fan.rate)).join(', '),
    p99s: runs.map((r) => ms(r.lat.p99)).join(', '),
  });
  const base = stat(sc.none);
  const ref = `same rounds without Redis ${fmtK(base.rate)}/s (runs ${base.rates})`;
  const latRef = `p99 without Redis ${ms(base.p99)} (runs ${base.p99s})`;
  const latWhat = `${S.lat[0][0]} subs at ${S.lat[0][1]}/s`;
  for (const [kind, what] of [['redis', 'Redis pub/sub in the publish path'], ['two', 'two instances, clients split, publisher on one']]) {
    if (!sc[kind]?.length) {
      row('5', `fan-out, ${what}`, 'not run', '-', '≥ 0.95x', null);
      continue;
    }
    const x = stat(sc[kind]);
    row('5', `fan-out ${S.fanSubs} subs x ${S.fanRate} pub/s, ${what} (median of ${sc[kind].length})`, `${fmtK(x.rate)}/s (runs ${x.rates}), p99 ${ms(x.fanP99)}`, `${ref}: **${ratio(x.rate, base.rate)}**`, '≥ 0.95x', x.rate / base.rate >= 0.95);
    const added = x.p99 - base.p99;
    row('5', `added p99 latency, ${what}, ${latWhat}`, `p99 ${ms(x.p99)} (runs ${x.p99s}): ${added >= 0 ? '+' : ''}${added.toFixed(2)} ms`, latRef, '≤ +2 ms', added <= 2);
  }
}

async function scenarioEmbedded() {
  const dir = mkdtempSync(join(tmpdir(), 'rbbench-data-'));
  const env = relaybaseEnv({ DATA_DIR: dir, JWT_SECRET: '', ENCRYPTION_KEY: '' });
  delete env.JWT_SECRET;
  delete env.ENCRYPTION_KEY;
  const childEnv = { ...process.env, ...env };
  delete childEnv.DATABASE_URL;
  delete childEnv.REDIS_URL;
  delete childEnv.JWT_SECRET;
  delete childEnv.ENCRYPTION_KEY;
  const runOnce = async () => {
    const t0 = performance.now();
    const child = spawn('taskset', ['-c', SERVER_CPU, process.execPath, SERVER_ENTRY], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'inherit', 'inherit'] });
    children.add(child);
    child.on('exit', () => children.delete(child));
    try {
      await waitHttp(`http://127.0.0.1:${PORT}/health`, 60_000);
      const ms = performance.now() - t0;
      await sleep(500);
      return { ms, rssMb: procStat(child.pid).rssMb };
    } finally {
      await stop(child);
    }
  };
  try {
    results.embeddedCold = await runOnce();
    results.embeddedWarm = await runOnce();
    log(`embedded: fresh ${results.embeddedCold.ms.toFixed(0)} ms ${results.embeddedCold.rssMb.toFixed(0)} MB; existing data dir ${results.embeddedWarm.ms.toFixed(0)} ms ${results.embeddedWarm.rssMb.toFixed(0)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------- table ----------
function buildRows(plugins) {
  const f = results.fan;
  if (f) {
    const b = `bare ws ${fmtK(f.ws.rate)}/s (p99 ${ms(f.ws.p99)}); ws+cork ${fmtK(f['ws-cork'].rate)}/s (p99 ${ms(f['ws-cork'].p99)}); socket.io ${fmtK(f.sio.rate)}/s (p99 ${ms(f.sio.p99)})`;
    const r = f.rb.rate / f.ws.rate;
    row('1', `fan-out ${S.fanSubs} subs x ${S.fanRate} pub/s (offered ${fmtK(S.fanSubs * S.fanRate)}/s), Pusher dialect`, `${fmtK(f.rb.rate)}/s, p50 ${ms(f.rb.p50)}, p99 ${ms(f.rb.p99)}, CPU ${pct(f.rb.cpu)}`, `${b}; **${ratio(f.rb.rate, f.ws.rate)} bare**, ${ratio(f.rb.rate, f['ws-cork'].rate)} ws+cork, ${ratio(f.rb.rate, f.sio.rate)} socket.io`, '≥ 0.8x bare', r >= 0.8);
    row('1', 'fan-out with coalescing', `${ratio(f.rb.rate, f.ws.rate)} bare, p99 ${ms(f.rb.p99)}`, `ws+cork reaches ${ratio(f['ws-cork'].rate, f.ws.rate)} bare`, '≥ 3x bare, p99 ≤ 100 ms', r >= 3 && f.rb.p99 <= 100);
    const grow = f.rb.peakMb - f.rb.idleMb;
    row('1', 'fan-out peak RSS', `idle ${f.rb.idleMb.toFixed(0)} MB, peak ${f.rb.peakMb.toFixed(0)} MB (+${grow.toFixed(0)})`, `bare ws +${(f.ws.peakMb - f.ws.idleMb).toFixed(0)} MB, socket.io +${(f.sio.peakMb - f.sio.idleMb).toFixed(0)} MB`, '≤ idle + 128 MB', grow <= 128);
  }
  if (results.lat) {
    const goals = [
      [(x) => x.p50 <= 8 && x.p99 <= 25, 'p50 ≤ 8 ms, p99 ≤ 25 ms'],
      [(x) => x.p99 <= 100, 'p99 ≤ 100 ms'],
      [(x) => x.p99 <= 3, 'p99 ≤ 3 ms'],
    ];
    results.lat.rb.forEach((x, i) => {
      const w = results.lat.ws[i];
      row('2', `REST trigger → client, ${x.subs} subs at ${x.pubRate}/s`, `p50 ${ms(x.p50)}, p99 ${ms(x.p99)}, max ${ms(x.max)} (${fmtK(x.rate)} deliveries/s of ${fmtK(x.offered)})`, w ? `bare ws (plain HTTP publish) p50 ${ms(w.p50)}, p99 ${ms(w.p99)}; p99 ${ratio(x.p99, w.p99)} bare` : 'n/a', goals[i][1], goals[i][0](x));
    });
  }
  if (results.rbConn) {
    const c = results.rbConn;
    const w = results.conn_ws;
    const s = results.conn_sio;
    row('3', `${c.n} idle Pusher connections, 2 channels each`, `${c.kbPerConn.toFixed(1)} KB/conn (RSS ${c.beforeMb.toFixed(0)} → ${c.afterMb.toFixed(0)} MB)`, `bare ws ${w?.kbPerConn.toFixed(1)} KB, socket.io ${s?.kbPerConn.toFixed(1)} KB; ${ratio(c.kbPerConn, w?.kbPerConn)} bare`, '≤ 12 KB/conn', c.kbPerConn <= 12);
    row('3', 'connect + subscribe rate', `${fmtK(c.rate)}/s (${c.n} in ${(c.setupMs / 1000).toFixed(1)} s)`, `bare ws connect ${fmtK(w?.rate ?? NaN)}/s, socket.io ${fmtK(s?.rate ?? NaN)}/s`, '≥ 3,000/s', c.rate >= 3000);
  }
  scaleOutRows();
  if (results.rest?.length) {
    const rounds = results.rest;
    const r = median(rounds.map((x) => x.rb.rps / x.bare.rps));
    const non2xx = rounds.reduce((n, x) => n + x.rb.non2xx, 0);
    row(
      '6',
      `REST POST /apps/:id/events, signed, wrk -c32, 1 core (median of ${rounds.length} alternating rounds)`,
      `${fmtK(median(rounds.map((x) => x.rb.rps)))} req/s (rounds ${rounds.map((x) => fmtK(x.rb.rps)).join(', ')}; p99 ${rounds.map((x) => x.rb.p99).join(', ')}; non-2xx ${non2xx})`,
      `bare http ${fmtK(median(rounds.map((x) => x.bare.rps)))} req/s (rounds ${rounds.map((x) => fmtK(x.bare.rps)).join(', ')}); ratio per round ${rounds.map((x) => ratio(x.rb.rps, x.bare.rps)).join(', ')}: **${r.toFixed(2)}x**`,
      '≥ 0.5x bare',
      r >= 0.5 && non2xx === 0,
    );
  } else row('6', 'REST POST /apps/:id/events, signed', 'not run', '-', '≥ 0.5x bare', null);
  if (results.over && results.fan) {
    const o = results.over;
    const sat = Math.max(results.fan.rb.rate, o.rate);
    const base = results.fan.rb.rate;
    const n429 = o.pub.status['429'] ?? 0;
    row('7', `overload: 2x offered publish rate (${S.fanRate * 2}/s x ${S.fanSubs}) for ${S.overloadMs / 1000} s`, `${fmtK(o.rate)}/s delivered (${ratio(o.rate, base)} of the 1x run), peak RSS +${(o.peakMb - o.idleMb).toFixed(0)} MB, event-loop lag max ${ms(o.lagMax)}, p99 ${ms(o.p99)}, 429s ${n429}, publisher skipped ${o.pub.skipped}`, `socket.io at 1x: ${fmtK(results.fan.sio.rate)}/s`, '≥ 0.9x saturation, RSS ≤ +256 MB, lag ≤ 100 ms (tenant trigger limit raised for the bench: 429s are admission control, see README "Overload")', o.rate >= 0.9 * Math.min(sat, base) && o.peakMb - o.idleMb <= 256 && !(o.lagMax > 100));
  } else row('7', 'overload', 'not run', '-', '', null);
  if (results.embeddedCold) {
    const c = results.embeddedCold;
    const w = results.embeddedWarm;
    row('9', 'embedded mode cold start to /health 200', `fresh data dir ${(c.ms / 1000).toFixed(2)} s (RSS ${c.rssMb.toFixed(0)} MB); existing data dir ${(w.ms / 1000).toFixed(2)} s (RSS ${w.rssMb.toFixed(0)} MB)`, '-', '≤ 5 s', c.ms <= 5000);
  }
  for (const p of plugins) p.rows?.(ctx);
  if (!rows.some((r) => r.target === '4')) row('4', 'chat: 5,000 msg/s, 100 rooms x 10, committed + delivered', 'not run', '-', '≥ 5,000/s, p99 ≤ 50 ms', null);
  if (!rows.some((r) => r.target === '8')) row('8', 'feeds: 20,000 upstream msg/s → 100 subscribers', 'not run', '-', '≥ 20,000/s', null);
  // Plugins add their rows last; the table reads in target order (stable within a target).
  rows.sort((a, b) => Number(a.target) - Number(b.target));
}

function appendResults(startedAt, elapsedS) {
  // Read the commit from .git directly (the harness runs no git commands).
  let commit = 'unknown';
  try {
    const head = readFileSync(join(ROOT, '.git/HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) commit = head.slice(0, 7);
    else {
      const ref = head.slice(5);
      const loose = join(ROOT, '.git', ref);
      if (existsSync(loose)) commit = readFileSync(loose, 'utf8').trim().slice(0, 7);
      else {
        const line = readFileSync(join(ROOT, '.git/packed-refs'), 'utf8').split('\n').find((l) => l.endsWith(' ' + ref));
        if (line) commit = line.slice(0, 7);
      }
      commit += ` (${ref.replace('refs/heads/', '')}; working tree may hold uncommitted changes)`;
    }
  } catch {
    /* not a checkout */
  }
  const cmd = `npm run ${FULL ? 'bench:full' : 'bench'}${ONLY.length ? ` -- --only=${ONLY.join(',')}` : ''}`;
  const lines = [
    '',
    `## ${startedAt.toISOString()} — ${FULL ? 'full' : 'quick'}`,
    '',
    `- commit: ${commit}; node ${process.version}; ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GB`,
    `- command: \`${cmd}\` (${elapsedS.toFixed(0)} s); server on core ${SERVER_CPU}, load generators on core ${CLIENT_CPU} (taskset)`,
    `- load average at start: ${startLoad.map((x) => x.toFixed(2)).join(' ')} (other work on the machine shifts absolute numbers; compare ratios)`,
    `- Relaybase: full mode (Postgres, no Redis unless stated), LOG_LEVEL=warn, trigger rate limit raised to 1e9/s, tenant on plan enterprise with limit overrides`,
    '',
    '| target | scenario | Relaybase measured | baselines (same run) and ratio | goal | result |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.target} | ${r.what} | ${r.measured} | ${r.baselines} | ${r.goal} | ${r.met} |`),
    ...(notes.length ? ['', ...notes.map((n) => `- ${n}`)] : []),
    '',
  ];
  const file = join(BENCH, 'RESULTS.md');
  if (!existsSync(file)) writeFileSync(file, '# Benchmark results\n\nAppended by `npm run bench` / `npm run bench:full`; see README.md.\n');
  appendFileSync(file, lines.join('\n'));
  console.log(lines.join('\n'));
}

// ---------- scenario modules ----------
/**
 * Everything a scenario module in bench/scenarios/*.mjs may use. A module exports `name` (its
 * `--only=` key), `run(ctx)` (measure; keep results in `ctx.results`) and optionally `rows(ctx)`
 * (call `ctx.row(...)` for its targets when the table is built).
 */
const ctx = {
  S, FULL, PORT, PG, REDIS, DB, SERVER_CPU, CLIENT_CPU, BENCH, ROOT,
  results, notes, log, sleep, row, fmtK, ms, pct, ratio,
  spawnPinned, nextMessage, stop, procStat, sampler, waitHttp, api, startRelaybase, relaybaseEnv, freshDb,
};

async function loadPlugins() {
  const dir = join(BENCH, 'scenarios');
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort();
  return Promise.all(files.map((f) => import(pathToFileURL(join(dir, f)).href)));
}

// ---------- main ----------
const startLoad = loadavg();
async function main() {
  const startedAt = new Date();
  const t0 = performance.now();
  if (!existsSync(join(ROOT, SERVER_ENTRY))) throw new Error('run `npm run build` first');
  execFileSync('taskset', ['-c', SERVER_CPU, 'true']);
  const steps = [
    ['fanout', scenarioFanout],
    ['latency', scenarioLatencyBaseline],
    ['rest', scenarioRest],
    ['conns', scenarioConnBaselines],
    ['redis', scenarioScaleOut],
    ['twoinst', scenarioScaleOut],
    ['embedded', scenarioEmbedded],
  ];
  const plugins = await loadPlugins();
  for (const p of plugins) steps.push([p.name, () => p.run(ctx)]);
  for (const [name, fn] of steps) {
    // The fan-out step also hosts the Relaybase parts of overload and latency (one server start).
    if (name === 'fanout' ? !['fanout', 'overload', 'latency'].some(want) : !want(name)) continue;
    log(`--- ${name}`);
    try {
      await fn();
    } catch (e) {
      notes.push(`${name} failed: ${e.message}`);
      log(`${name} failed:`, e);
    }
  }
  buildRows(plugins);
  appendResults(startedAt, (performance.now() - t0) / 1000);
  try {
    execFileSync('psql', [`${PG}/postgres`, '-qc', `DROP DATABASE IF EXISTS ${DB}`], { stdio: 'ignore' });
  } catch {
    /* leave it */
  }
}

const cleanup = () => {
  for (const c of children) c.kill('SIGKILL');
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
