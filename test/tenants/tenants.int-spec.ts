import { DataSource } from 'typeorm';
import { TenantsService } from '../../src/modules/tenants/tenants.service';
import { createAccount, createTenant } from '../factories/account.factory';
import { startTestApp, TestApp } from '../support/test-app';

/** The Pusher HTTP API's event limits, the same on every plan. */
const EVENT_LIMITS = { maxEventDataBytes: 10_240, maxChannelsPerTrigger: 100, maxBatchEvents: 10, maxPresenceMembers: 100 };

describe('tenants', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  it('creates a tenant with its credentials and the plan limits of seed 000', async () => {
    const account = await createAccount(t.http);
    const res = await t.http.post('/api/tenants', { name: 'Prod', plan: 'pro' }, { token: account.token });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      data: {
        id: expect.any(String),
        name: 'Prod',
        plan: 'pro',
        appId: expect.stringMatching(/^\d{9}$/),
        key: expect.stringMatching(/^[0-9a-f]{20}$/),
        secret: expect.stringMatching(/^[0-9a-f]{48}$/),
        jwtSecret: expect.stringMatching(/^[0-9a-f]{96}$/),
        enabled: true,
        settings: {},
        limitOverrides: {},
        limits: { maxConnections: 1000, maxChannelsPerConnection: 50, apiRequestsPerSecond: 100, ...EVENT_LIMITS },
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    });
    const free = await createTenant(t.http, account);
    expect((await t.http.get(`/api/tenants/${free.id}`, { token: account.token })).body.data.limits).toEqual({ maxConnections: 100, maxChannelsPerConnection: 10, apiRequestsPerSecond: 100, ...EVENT_LIMITS });
  });

  it('encrypts secret and jwtSecret at rest', async () => {
    const account = await createAccount(t.http);
    const tenant = await createTenant(t.http, account);
    const [row] = await db.query('SELECT * FROM tenants WHERE id = $1', [tenant.id]);
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(tenant.secret);
    expect(stored).not.toContain(tenant.jwtSecret);
    expect(row.secret_enc).toMatch(/^v1\./);
    expect(row.jwt_secret_enc).toMatch(/^v1\./);
    const decrypted = await t.app.get(TenantsService).credentialsByKey(tenant.key);
    expect(decrypted).toMatchObject({ secret: tenant.secret, jwtSecret: tenant.jwtSecret });
  });

  it('lists without secrets and gets one with them', async () => {
    const account = await createAccount(t.http);
    const a = await createTenant(t.http, account, { name: 'A' });
    await createTenant(t.http, account, { name: 'B' });
    const list = await t.http.get('/api/tenants', { token: account.token });
    expect(list.body.data.map((x: { name: string }) => x.name)).toEqual(['A', 'B']);
    expect(list.body.data[0].secret).toBeUndefined();
    expect(list.body.data[0].jwtSecret).toBeUndefined();
    const one = await t.http.get(`/api/tenants/${a.id}`, { token: account.token });
    expect(one.body.data).toMatchObject({ id: a.id, secret: a.secret, jwtSecret: a.jwtSecret });
  });

  it('updates name, plan, settings and limit overrides (merged; null removes)', async () => {
    const account = await createAccount(t.http);
    const tenant = await createTenant(t.http, account);
    const res = await t.http.patch(
      `/api/tenants/${tenant.id}`,
      { name: 'Renamed', plan: 'business', settings: { clientEventsEnabled: true }, limits: { maxConnections: 42 } },
      { token: account.token },
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      name: 'Renamed',
      plan: 'business',
      settings: { clientEventsEnabled: true },
      limitOverrides: { maxConnections: 42 },
      limits: { maxConnections: 42, maxChannelsPerConnection: 100, apiRequestsPerSecond: 100, ...EVENT_LIMITS },
    });
    const second = await t.http.patch(`/api/tenants/${tenant.id}`, { settings: { subscriptionCountEnabled: true }, limits: { maxConnections: null } }, { token: account.token });
    expect(second.body.data.settings).toEqual({ clientEventsEnabled: true, subscriptionCountEnabled: true });
    expect(second.body.data.limits).toEqual({ maxConnections: 10_000, maxChannelsPerConnection: 100, apiRequestsPerSecond: 100, ...EVENT_LIMITS });
  });

  it.each([
    ['an unknown plan', { plan: 'platinum' }],
    ['an unknown setting', { settings: { godMode: true } }],
    ['a bad limit', { limits: { maxConnections: -1 } }],
    ['a wrong type', { name: 7 }],
  ])('refuses %s with 400 and changes nothing', async (_label, body) => {
    const account = await createAccount(t.http);
    const tenant = await createTenant(t.http, account, { name: 'Same' });
    const res = await t.http.patch(`/api/tenants/${tenant.id}`, body, { token: account.token });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    const after = await t.http.get(`/api/tenants/${tenant.id}`, { token: account.token });
    expect(after.body.data).toMatchObject({ name: 'Same', plan: 'free', settings: {}, limitOverrides: {} });
  });

  it('rotates the secret or the jwtSecret, re-encrypted', async () => {
    const account = await createAccount(t.http);
    const tenant = await createTenant(t.http, account);
    const rotated = await t.http.post(`/api/tenants/${tenant.id}/rotate-secret`, {}, { token: account.token });
    expect(rotated.status).toBe(200);
    expect(rotated.body.data.secret).toMatch(/^[0-9a-f]{48}$/);
    expect(rotated.body.data.secret).not.toBe(tenant.secret);
    expect(rotated.body.data.jwtSecret).toBe(tenant.jwtSecret);
    const jwtRotated = await t.http.post(`/api/tenants/${tenant.id}/rotate-secret`, { target: 'jwtSecret' }, { token: account.token });
    expect(jwtRotated.body.data.jwtSecret).not.toBe(tenant.jwtSecret);
    expect(jwtRotated.body.data.secret).toBe(rotated.body.data.secret);
    const [row] = await db.query('SELECT secret_enc FROM tenants WHERE id = $1', [tenant.id]);
    expect(row.secret_enc).not.toContain(rotated.body.data.secret);
  });

  it('deletes a tenant and the keys bound to it', async () => {
    const account = await createAccount(t.http);
    const tenant = await createTenant(t.http, account);
    const key = await t.http.post('/api/auth/api-keys', { name: 'bound', scopes: ['*'], tenantId: tenant.id }, { token: account.token });
    const res = await t.http.delete(`/api/tenants/${tenant.id}`, { token: account.token });
    expect(res.body).toEqual({ success: true, data: { deleted: true } });
    expect((await t.http.get(`/api/tenants/${tenant.id}`, { token: account.token })).status).toBe(404);
    expect((await t.http.get('/api/auth/me', { apiKey: key.body.key })).status).toBe(401);
  });

  it('answers 404 for ids that are not tenants', async () => {
    const account = await createAccount(t.http);
    for (const id of ['not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const res = await t.http.get(`/api/tenants/${id}`, { token: account.token });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
  });

  describe('isolation between accounts', () => {
    it('one account cannot read, list, change, rotate or delete another account\'s tenant (404, not 403)', async () => {
      const alice = await createAccount(t.http, 'alice');
      const bob = await createAccount(t.http, 'bob');
      const tenant = await createTenant(t.http, alice, { name: 'Alice Prod' });
      expect((await t.http.get('/api/tenants', { token: bob.token })).body.data).toEqual([]);
      const attempts = [
        t.http.get(`/api/tenants/${tenant.id}`, { token: bob.token }),
        t.http.patch(`/api/tenants/${tenant.id}`, { name: 'Bob owns this' }, { token: bob.token }),
        t.http.post(`/api/tenants/${tenant.id}/rotate-secret`, {}, { token: bob.token }),
        t.http.delete(`/api/tenants/${tenant.id}`, { token: bob.token }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(404);
        expect(JSON.stringify(res.body)).not.toContain(tenant.secret);
      }
      const still = await t.http.get(`/api/tenants/${tenant.id}`, { token: alice.token });
      expect(still.body.data).toMatchObject({ name: 'Alice Prod', secret: tenant.secret });
    });
  });
});
