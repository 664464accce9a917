import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PusherServer from 'pusher';
import PusherClient from 'pusher-js';
import { createAccount, createTenant } from '../factories/account.factory';
import { HttpClient } from '../support/http-client';
import { waitFor } from '../support/wait-for';

const ROOT = join(__dirname, '../..');
const BUNDLE = join(ROOT, 'dist/relaybase.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * What `npm start` runs: dist/relaybase.js, the compiled server bundled with the NestJS packages by
 * scripts/bundle.mjs, started as its own process in embedded mode on an empty data directory (so on
 * the build's template database). The rest of the suite runs the sources; this proves the bundle
 * is the same server: dependency injection across the bundled packages, validation (class-validator
 * and class-transformer), the Pusher WebSocket and REST paths, Swagger, and a restart on its data.
 */
describe('the bundled server (npm start)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'relaybase-bundle-'));
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    // CI builds before testing; a bare `npm test` builds here.
    if (!existsSync(BUNDLE)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore', timeout: 300_000 });
  }, 300_000);

  afterAll(async () => {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(port: number): Promise<HttpClient> {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATA_DIR: dataDir };
    for (const k of ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'ENCRYPTION_KEY']) delete env[k];
    output = '';
    child = spawn(process.execPath, [BUNDLE], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const http = new HttpClient(`http://127.0.0.1:${port}`);
    await waitFor(async () => {
      if (child!.exitCode !== null) throw new Error(`the bundle exited with ${child!.exitCode}: ${output}`);
      return (await http.get('/health').catch(() => ({ status: 0 }))).status === 200;
    }, 60_000);
    return http;
  }

  async function stop(): Promise<number | null> {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return c?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => c.once('exit', (code) => resolve(code)));
    c.kill('SIGTERM');
    return exited;
  }

  it('serves the API, validation, Swagger and the Pusher protocol, and shuts down cleanly', async () => {
    const port = await freePort();
    const http = await start(port);
    expect((await http.get('/health/ready')).body).toMatchObject({ status: 'ok', checks: { database: 'ok' } });

    const account = await createAccount(http, 'bundle');
    const tenant = await createTenant(http, account);
    // A nested DTO (class-transformer's @Type, class-validator's @ValidateNested) is validated.
    const refused = await http.patch(`/api/tenants/${tenant.id}`, { limits: { maxConnections: -1 } }, { token: account.token });
    expect(refused.status).toBe(400);
    const patched = await http.patch(`/api/tenants/${tenant.id}`, { limits: { maxConnections: 42 } }, { token: account.token });
    expect(patched.status).toBe(200);
    expect(patched.body.data.limits.maxConnections).toBe(42);
    expect((await http.get('/docs-json')).body.paths['/apps/{appId}/events']).toBeDefined();

    // A pusher-js subscriber receives what the server SDK triggers over signed REST.
    const client = new PusherClient(tenant.key, { cluster: 'mt1', wsHost: '127.0.0.1', wsPort: port, forceTLS: false, enabledTransports: ['ws'] });
    try {
      const channel = client.subscribe('bundle-check');
      await new Promise<void>((resolve) => channel.bind('pusher:subscription_succeeded', () => resolve()));
      const received = new Promise<unknown>((resolve) => channel.bind('hello', resolve));
      const sdk = new PusherServer({ appId: tenant.appId, key: tenant.key, secret: tenant.secret, host: '127.0.0.1', port: String(port), useTLS: false });
      expect((await sdk.trigger('bundle-check', 'hello', { n: 1 })).status).toBe(200);
      expect(await received).toEqual({ n: 1 });
    } finally {
      client.disconnect();
    }

    expect(await stop()).toBe(0);
    // The same data directory on a second start: the account is still there.
    const again = await start(port);
    expect((await again.post('/api/auth/login', { email: account.email, password: account.password })).status).toBe(200);
    expect(await stop()).toBe(0);
  });
});
