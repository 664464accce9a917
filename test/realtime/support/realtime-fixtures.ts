import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createAccount, createApiKey, createTenant, TestAccount, TestTenant } from '../../factories/account.factory';
import type { HttpClient } from '../../support/http-client';
import { TestWsClient } from './ws-client';

export interface RealtimeTenant {
  account: TestAccount;
  tenant: TestTenant;
  /** Tenant-bound API key with events:trigger, channels:read and websocket:subscribe. */
  serverKey: string;
}

/** A fresh account and tenant (with optional settings and limit overrides) and a server API key for it. */
export async function createRealtimeTenant(
  http: HttpClient,
  options: { plan?: string; settings?: Record<string, unknown>; limits?: Record<string, unknown> } = {},
): Promise<RealtimeTenant> {
  const account = await createAccount(http, 'rt');
  const tenant = await createTenant(http, account, options.plan ? { plan: options.plan } : {});
  if (options.settings || options.limits) {
    const res = await http.patch(`/api/tenants/${tenant.id}`, { settings: options.settings, limits: options.limits }, { token: account.token });
    if (res.status !== 200) throw new Error(`patch tenant failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const { key } = await createApiKey(http, account, { scopes: ['events:trigger', 'channels:read', 'websocket:subscribe'], tenantId: tenant.id });
  return { account, tenant, serverKey: key };
}

export function endUserToken(tenant: TestTenant, sub: string, claims: Record<string, unknown> = {}, options: jwt.SignOptions = {}): string {
  // An `exp` claim of the caller's wins over the default lifetime.
  const lifetime: jwt.SignOptions = 'exp' in claims ? {} : { expiresIn: 3600 };
  return jwt.sign({ sub, ...claims }, tenant.jwtSecret, { algorithm: 'HS256', ...lifetime, ...options });
}

export function wsUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/^http/, 'ws') + path;
}

/** Connects an end user and waits for `connected`. */
export async function connectEndUser(baseUrl: string, tenant: TestTenant, sub: string, claims: Record<string, unknown> = {}): Promise<TestWsClient> {
  const client = await TestWsClient.open(wsUrl(baseUrl, `/ws/${tenant.key}?jwt=${endUserToken(tenant, sub, claims)}`));
  await client.next('connected');
  return client;
}

/** Connects with an API key or account JWT in the URL and waits for `connected`. */
export async function connectWithToken(baseUrl: string, token: string, tenantRef?: string): Promise<TestWsClient> {
  const query = `token=${encodeURIComponent(token)}${tenantRef ? `&tenant=${encodeURIComponent(tenantRef)}` : ''}`;
  const client = await TestWsClient.open(wsUrl(baseUrl, `/ws?${query}`));
  await client.next('connected');
  return client;
}

export async function subscribe(client: TestWsClient, channel: string, extra: Record<string, unknown> = {}) {
  const reply = await client.request({ type: 'subscribe', data: { channel, ...extra } }, 'subscribed');
  if (reply.type !== 'subscribed') throw new Error(`subscribe ${channel} failed: ${JSON.stringify(reply)}`);
  return reply;
}

export function channelAuth(tenant: TestTenant, socketId: string, channel: string, channelData?: string): string {
  const subject = channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
  return `${tenant.key}:${createHmac('sha256', tenant.secret).update(subject).digest('hex')}`;
}

export function publish(http: HttpClient, apiKey: string, channel: string, type: string, data: unknown) {
  return http.post(`/api/channels/${encodeURIComponent(channel)}/events`, { type, data }, { apiKey });
}

/** Polls until `check` returns true or the time is up; returns the last value of `check`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * The modes every single-instance suite runs in: full (Redis bus and cluster state) when this run
 * has Redis, and embedded (in-process bus and state, REDIS_URL unset) always.
 */
export function realtimeModes(hasRedis: boolean): Array<[string, Record<string, string>]> {
  const embedded: [string, Record<string, string>] = ['embedded (no Redis)', { REDIS_URL: '' }];
  return hasRedis ? [['full (Redis)', {}], embedded] : [embedded];
}
