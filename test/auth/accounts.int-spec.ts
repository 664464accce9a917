import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { createAccount, createApiKey, STRONG_PASSWORD, uniqueEmail } from '../factories/account.factory';
import { startTestApp, TEST_JWT_SECRET, TestApp } from '../support/test-app';

describe('accounts: register, login, me', () => {
  let t: TestApp;
  let db: DataSource;
  const accountsWith = async (email: string) =>
    Number((await db.query('SELECT count(*)::int AS n FROM accounts WHERE email = $1', [email.toLowerCase()]))[0].n);

  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES_PER_EMAIL: '3', LOGIN_LOCKOUT_SECONDS: '60' });
    db = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  describe('POST /api/auth/register', () => {
    it('creates an account and answers with the seed shape and a JWT valid 7 days', async () => {
      const email = uniqueEmail('Reg');
      const res = await t.http.post('/api/auth/register', { email, password: STRONG_PASSWORD, name: 'Ada' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        message: 'User registered successfully',
        success: true,
        token: expect.any(String),
        user: {
          _id: expect.any(String),
          email: email.toLowerCase(),
          name: 'Ada',
          createdAt: expect.any(String),
          tokenUsage: {
            currentMonth: new Date().toISOString().slice(0, 7),
            tokensUsed: 0,
            limit: 1_000_000,
            lastResetDate: expect.any(String),
            overdraftAllowed: false,
          },
          twoFactorEnabled: false,
        },
      });
      const claims = jwt.decode(res.body.token) as jwt.JwtPayload;
      expect(claims.sub).toBe(res.body.user._id);
      expect(claims.exp! - claims.iat!).toBe(7 * 24 * 3600);
      expect(jwt.decode(res.body.token, { complete: true })!.header.alg).toBe('HS256');
    });

    it('stores an argon2id hash, never the password', async () => {
      const account = await createAccount(t.http);
      const [row] = await db.query('SELECT password_hash FROM accounts WHERE id = $1', [account.id]);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(row.password_hash).not.toContain(STRONG_PASSWORD);
    });

    it('refuses a duplicate e-mail case-insensitively with 409', async () => {
      const account = await createAccount(t.http);
      const res = await t.http.post('/api/auth/register', { email: account.email.toUpperCase(), password: STRONG_PASSWORD, name: 'x' });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ success: false, data: null, error: { code: 'CONFLICT', message: expect.any(String) } });
      expect(await accountsWith(account.email)).toBe(1);
    });

    it('refuses a weak password with a clear message and writes nothing', async () => {
      const email = uniqueEmail();
      const res = await t.http.post('/api/auth/register', { email, password: 'password', name: 'x' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.message).toMatch(/at least 10 characters/);
      expect(await accountsWith(email)).toBe(0);
    });

    it.each([
      ['a missing field', (email: string) => ({ email, password: STRONG_PASSWORD }), /name should not be empty/],
      ['a wrong type', (email: string) => ({ email, password: STRONG_PASSWORD, name: 42 }), /name must be a string/],
      ['an unknown field', (email: string) => ({ email, password: STRONG_PASSWORD, name: 'x', isAdmin: true }), /property isAdmin should not exist/],
    ])('refuses %s with VALIDATION_ERROR and writes nothing', async (_label, build, message) => {
      const email = uniqueEmail();
      const body = build(email);
      const res = await t.http.post('/api/auth/register', body);
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
      expect(res.body.data).toBeNull();
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.message).toMatch(message);
      expect(await accountsWith(email)).toBe(0);
    });

    it('refuses malformed JSON with 400 and an oversize body with 413, writing nothing', async () => {
      const email = uniqueEmail();
      const malformed = await t.http.request('POST', '/api/auth/register', { rawBody: `{"email":"${email}",` });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('VALIDATION_ERROR');
      const huge = await t.http.post('/api/auth/register', { email, password: STRONG_PASSWORD, name: 'x'.repeat(200_000) });
      expect(huge.status).toBe(413);
      expect(huge.body).toEqual({ success: false, data: null, error: { code: 'PAYLOAD_TOO_LARGE', message: expect.any(String) } });
      expect(await accountsWith(email)).toBe(0);
    });
  });

  describe('POST /api/auth/login', () => {
    it('logs in with the right password and records lastLogin', async () => {
      const account = await createAccount(t.http);
      const res = await t.http.post('/api/auth/login', { email: account.email.toUpperCase(), password: account.password });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ message: 'Login successful', success: true, token: expect.any(String), user: { _id: account.id } });
      const me = await t.http.get('/api/auth/me', { token: res.body.token });
      expect(new Date(me.body.user.lastLogin).getTime()).toBeGreaterThan(Date.now() - 60_000);
    });

    it('answers a wrong password and an unknown e-mail with the same 401', async () => {
      const account = await createAccount(t.http);
      const wrong = await t.http.post('/api/auth/login', { email: account.email, password: 'Wrong-Password-1' });
      const unknown = await t.http.post('/api/auth/login', { email: uniqueEmail(), password: 'Wrong-Password-1' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.error).toEqual({ code: 'AUTHENTICATION_ERROR', message: 'Invalid email or password' });
    });

    it('refuses further attempts with 429 and Retry-After after repeated failures, even with the right password', async () => {
      const account = await createAccount(t.http);
      for (let i = 0; i < 3; i++) {
        expect((await t.http.post('/api/auth/login', { email: account.email, password: 'Wrong-Password-1' })).status).toBe(401);
      }
      const locked = await t.http.post('/api/auth/login', { email: account.email, password: account.password });
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(locked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      // Another account is not affected by this one's lock.
      const other = await createAccount(t.http);
      expect((await t.http.post('/api/auth/login', { email: other.email, password: other.password })).status).toBe(200);
    });
  });

  describe('GET /api/auth/me', () => {
    it('answers with the profile for an account JWT and for an API key of the account', async () => {
      const account = await createAccount(t.http);
      const byJwt = await t.http.get('/api/auth/me', { token: account.token });
      expect(byJwt.status).toBe(200);
      expect(byJwt.body).toMatchObject({ success: true, user: { _id: account.id, email: account.email, lastLogin: null } });
      const { key } = await createApiKey(t.http, account, { scopes: ['websocket:subscribe'] });
      expect((await t.http.get('/api/auth/me', { apiKey: key })).body.user._id).toBe(account.id);
      expect((await t.http.get('/api/auth/me', { token: key })).body.user._id).toBe(account.id);
    });

    it('refuses no credential, expired, tampered, foreign-signed and unsigned tokens with 401', async () => {
      const account = await createAccount(t.http);
      const base = { sub: account.id, iss: 'relaybase', aud: 'relaybase:account' };
      const expired = jwt.sign({ ...base, exp: Math.floor(Date.now() / 1000) - 10 }, TEST_JWT_SECRET, { algorithm: 'HS256' });
      const foreign = jwt.sign(base, 'some-other-secret-of-sufficient-length!!', { algorithm: 'HS256' });
      const [h, p, s] = account.token.split('.');
      const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
      const tampered = [h, Buffer.from(JSON.stringify({ ...payload, sub: '00000000-0000-0000-0000-000000000000' })).toString('base64url'), s].join('.');
      const unsigned = jwt.sign(base, '', { algorithm: 'none' });
      expect((await t.http.get('/api/auth/me')).status).toBe(401);
      for (const token of [expired, foreign, tampered, unsigned, 'not-a-token']) {
        const res = await t.http.get('/api/auth/me', { token });
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('AUTHENTICATION_ERROR');
      }
      expect((await t.http.get('/api/auth/me', { token: expired })).body.error.message).toBe('Token expired');
    });
  });
});
