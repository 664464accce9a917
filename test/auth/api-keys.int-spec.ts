import { DataSource } from 'typeorm';
import { createAccount, createApiKey, createTenant } from '../factories/account.factory';
import { startTestApp, TestApp } from '../support/test-app';

describe('API keys', () => {
  let t: TestApp;
  let db: DataSource;

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  it('creates a key, shows it once, and stores only its hash', async () => {
    const account = await createAccount(t.http);
    const res = await t.http.post('/api/auth/api-keys', { name: 'My Trading Bot', scopes: ['websocket:subscribe', 'websocket:llm'] }, { token: account.token });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      success: true,
      message: 'API key created successfully. Store this key securely - it will not be shown again.',
      apiKey: {
        _id: expect.any(String),
        name: 'My Trading Bot',
        prefix: 'rb_live_',
        lastChars: res.body.key.slice(-8),
        scopes: ['websocket:subscribe', 'websocket:llm'],
        tenantId: null,
        isActive: true,
        createdAt: expect.any(String),
        lastUsedAt: null,
      },
      key: expect.stringMatching(/^rb_live_[A-Za-z0-9_-]{43}$/),
    });
    const rows = await db.query('SELECT * FROM api_keys WHERE id = $1', [res.body.apiKey._id]);
    expect(JSON.stringify(rows)).not.toContain(res.body.key);
    expect(JSON.stringify(rows)).not.toContain(res.body.key.slice(8, 40));
    expect(rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('lists active keys without the key or its hash, and records lastUsedAt', async () => {
    const account = await createAccount(t.http);
    const { key, id } = await createApiKey(t.http, account, { scopes: ['channels:read'], name: 'Dashboard Monitor' });
    expect((await t.http.get('/api/auth/me', { apiKey: key })).status).toBe(200);
    const list = await t.http.get('/api/auth/api-keys', { token: account.token });
    expect(list.status).toBe(200);
    expect(list.body.success).toBe(true);
    expect(list.body.apiKeys).toHaveLength(1);
    const [listed] = list.body.apiKeys;
    expect(Object.keys(listed).sort()).toEqual(['_id', 'createdAt', 'isActive', 'lastChars', 'lastUsedAt', 'name', 'prefix', 'scopes', 'tenantId']);
    expect(listed._id).toBe(id);
    expect(JSON.stringify(list.body)).not.toContain(key);
    // lastUsedAt is written in the background, at most once a minute.
    let lastUsedAt: string | null = null;
    for (let i = 0; i < 20 && !lastUsedAt; i++) {
      lastUsedAt = (await t.http.get('/api/auth/api-keys', { token: account.token })).body.apiKeys[0].lastUsedAt;
      if (!lastUsedAt) await new Promise((r) => setTimeout(r, 50));
    }
    expect(new Date(lastUsedAt!).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('refuses a duplicate name with 409, and allows it again after the first is revoked', async () => {
    const account = await createAccount(t.http);
    const first = await createApiKey(t.http, account, { scopes: ['*'], name: 'ci' });
    const dup = await t.http.post('/api/auth/api-keys', { name: 'ci', scopes: ['*'] }, { token: account.token });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('CONFLICT');
    await t.http.delete(`/api/auth/api-keys/${first.id}`, { token: account.token });
    expect((await t.http.post('/api/auth/api-keys', { name: 'ci', scopes: ['*'] }, { token: account.token })).status).toBe(201);
    // Names are per account: another account may use the same one.
    const other = await createAccount(t.http);
    expect((await t.http.post('/api/auth/api-keys', { name: 'ci', scopes: ['*'] }, { token: other.token })).status).toBe(201);
  });

  it.each([
    ['an unknown scope', { name: 'x', scopes: ['admin'] }, /scopes must be one of/],
    ['no scopes', { name: 'x', scopes: [] }, /scopes should not be empty/],
    ['a missing name', { scopes: ['*'] }, /name/],
    ['an unknown field', { name: 'x', scopes: ['*'], expiresAt: 'never' }, /expiresAt should not exist/],
    ['a malformed tenantId', { name: 'x', scopes: ['*'], tenantId: 'abc' }, /tenantId must be a UUID/],
  ])('refuses %s with 400 and creates nothing', async (_label, body, message) => {
    const account = await createAccount(t.http);
    const res = await t.http.post('/api/auth/api-keys', body, { token: account.token });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.message).toMatch(message);
    expect((await db.query('SELECT count(*)::int AS n FROM api_keys WHERE account_id = $1', [account.id]))[0].n).toBe(0);
  });

  it('revokes a key at once', async () => {
    const account = await createAccount(t.http);
    const { key, id } = await createApiKey(t.http, account, { scopes: ['*'] });
    expect((await t.http.get('/api/auth/me', { apiKey: key })).status).toBe(200);
    const res = await t.http.delete(`/api/auth/api-keys/${id}`, { token: account.token });
    expect(res.body).toEqual({ success: true, message: 'API key revoked successfully' });
    const after = await t.http.get('/api/auth/me', { apiKey: key });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('AUTHENTICATION_ERROR');
    expect((await t.http.get('/api/auth/api-keys', { token: account.token })).body.apiKeys).toEqual([]);
    expect((await t.http.delete(`/api/auth/api-keys/${id}`, { token: account.token })).status).toBe(404);
  });

  it('binds a key to a tenant the account owns', async () => {
    const account = await createAccount(t.http);
    const tenant = await createTenant(t.http, account);
    const res = await t.http.post('/api/auth/api-keys', { name: 'master', scopes: ['*'], tenantId: tenant.id }, { token: account.token });
    expect(res.status).toBe(201);
    expect(res.body.apiKey.tenantId).toBe(tenant.id);
  });

  it('does not let a key manage keys or tenants (account JWT only)', async () => {
    const account = await createAccount(t.http);
    const { key } = await createApiKey(t.http, account, { scopes: ['*'] });
    for (const [method, path] of [['GET', '/api/auth/api-keys'], ['POST', '/api/auth/api-keys'], ['GET', '/api/tenants'], ['POST', '/api/tenants']]) {
      const res = await t.http.request(method, path, { apiKey: key, body: method === 'POST' ? { name: 'x', scopes: ['*'] } : undefined });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('AUTHORIZATION_ERROR');
    }
  });

  describe('isolation between accounts', () => {
    it('one account cannot see, revoke or bind to another account\'s keys and tenants', async () => {
      const alice = await createAccount(t.http, 'alice');
      const bob = await createAccount(t.http, 'bob');
      const aliceKey = await createApiKey(t.http, alice, { scopes: ['*'] });
      const aliceTenant = await createTenant(t.http, alice);

      expect((await t.http.get('/api/auth/api-keys', { token: bob.token })).body.apiKeys).toEqual([]);
      const revoke = await t.http.delete(`/api/auth/api-keys/${aliceKey.id}`, { token: bob.token });
      expect(revoke.status).toBe(404);
      expect(revoke.body.error.code).toBe('NOT_FOUND');
      expect((await t.http.get('/api/auth/me', { apiKey: aliceKey.key })).status).toBe(200);

      const bind = await t.http.post('/api/auth/api-keys', { name: 'steal', scopes: ['*'], tenantId: aliceTenant.id }, { token: bob.token });
      expect(bind.status).toBe(404);
      expect((await db.query('SELECT count(*)::int AS n FROM api_keys WHERE account_id = $1', [bob.id]))[0].n).toBe(0);
    });
  });
});
