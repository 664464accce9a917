import { randomBytes } from 'node:crypto';
import { HttpClient } from '../support/http-client';

export interface TestAccount {
  id: string;
  email: string;
  password: string;
  token: string;
}

export const STRONG_PASSWORD = 'Correct-Horse-42-Battery';

export const uniqueEmail = (label = 'user') => `${label}.${randomBytes(6).toString('hex')}@example.test`;

/** Registers a fresh account through the API, so each test owns its data. */
export async function createAccount(http: HttpClient, label?: string): Promise<TestAccount> {
  const email = uniqueEmail(label);
  const res = await http.post('/api/auth/register', { email, password: STRONG_PASSWORD, name: label ?? 'Test User' });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.user._id, email, password: STRONG_PASSWORD, token: res.body.token };
}

export interface TestTenant {
  id: string;
  appId: string;
  key: string;
  secret: string;
  jwtSecret: string;
}

export async function createTenant(http: HttpClient, account: TestAccount, body: Record<string, unknown> = {}): Promise<TestTenant> {
  const res = await http.post('/api/tenants', { name: 'Test Tenant', ...body }, { token: account.token });
  if (res.status !== 201) throw new Error(`create tenant failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export async function createApiKey(
  http: HttpClient,
  account: TestAccount,
  body: { scopes: string[]; tenantId?: string; name?: string },
): Promise<{ key: string; id: string }> {
  const res = await http.post('/api/auth/api-keys', { name: `key-${randomBytes(4).toString('hex')}`, ...body }, { token: account.token });
  if (res.status !== 201) throw new Error(`create key failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { key: res.body.key, id: res.body.apiKey._id };
}
