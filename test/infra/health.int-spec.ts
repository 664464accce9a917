import { startPgliteServer } from '../support/pglite-server';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { isolatedPrefix } from '../support/test-services';

describe('health and HTTP conventions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('GET /health answers ok with a timestamp, without credentials', async () => {
    const res = await t.http.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', timestamp: expect.any(String) });
    expect(Date.parse(res.body.timestamp)).toBeGreaterThan(Date.now() - 10_000);
  });

  it('GET /health/ready checks the database and Redis', async () => {
    const res = await t.http.get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', checks: hasRedis() ? { database: 'ok', redis: 'ok' } : { database: 'ok' } });
  });

  it('answers unknown routes with a JSON 404 envelope', async () => {
    const res = await t.http.get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, data: null, error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const given = await t.http.get('/health', { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const made = await t.http.get('/health', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('denies protected routes without a credential', async () => {
    const res = await t.http.get('/api/tenants');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('AUTHENTICATION_ERROR');
  });

  (hasRedis() ? it : it.skip)('GET /health/ready answers 503 naming the database when it is down', async () => {
    // An app of its own on a database we can stop (the run's shared database must stay up).
    const pglite = await startPgliteServer();
    const setup = new DataSource({ type: 'postgres', url: pglite.url, migrations: MIGRATIONS });
    await setup.initialize();
    await setup.runMigrations();
    await setup.destroy();
    const own = await startTestApp({ DATABASE_URL: pglite.url, REDIS_KEY_PREFIX: isolatedPrefix('health') });
    try {
      expect((await own.http.get('/health/ready')).status).toBe(200);
      await pglite.stop();
      const res = await own.http.get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'error', checks: { database: 'down', redis: 'ok' } });
    } finally {
      await own.close().catch(() => undefined);
    }
  });
});
