import { createAccount, createApiKey, createTenant, TestAccount, TestTenant } from '../../factories/account.factory';
import type { HttpClient, HttpResult } from '../../support/http-client';
import { connectEndUser, endUserToken } from '../../realtime/support/realtime-fixtures';
import type { Frame, TestWsClient } from '../../realtime/support/ws-client';

export interface ChatTenant {
  account: TestAccount;
  tenant: TestTenant;
  /** Tenant-bound key with chat:read, chat:write and events:trigger. */
  key: string;
}

/** A fresh account and tenant with a chat API key; optional settings and limit overrides. */
export async function createChatTenant(
  http: HttpClient,
  options: { settings?: Record<string, unknown>; limits?: Record<string, unknown> } = {},
): Promise<ChatTenant> {
  const account = await createAccount(http, 'chat');
  const tenant = await createTenant(http, account);
  if (options.settings || options.limits) {
    const res = await http.patch(`/api/tenants/${tenant.id}`, { settings: options.settings, limits: options.limits }, { token: account.token });
    if (res.status !== 200) throw new Error(`patch tenant failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const { key } = await createApiKey(http, account, { scopes: ['chat:read', 'chat:write', 'events:trigger'], tenantId: tenant.id });
  return { account, tenant, key };
}

/** Calls the chat REST API as a user: the tenant key plus X-User-Id. */
export function asUser(http: HttpClient, ct: ChatTenant, userId: string) {
  const headers = { 'x-api-key': ct.key, 'x-user-id': userId };
  return {
    get: (path: string): Promise<HttpResult> => http.get(path, { headers }),
    post: (path: string, body?: unknown): Promise<HttpResult> => http.post(path, body ?? {}, { headers }),
    patch: (path: string, body?: unknown): Promise<HttpResult> => http.patch(path, body ?? {}, { headers }),
    delete: (path: string): Promise<HttpResult> => http.delete(path, { headers }),
  };
}

/** Calls the chat REST API with an end-user JWT and the tenant key (seed 001's x-hash). */
export function asEndUser(http: HttpClient, ct: ChatTenant, userId: string) {
  const headers = { authorization: `Bearer ${endUserToken(ct.tenant, userId)}`, 'x-hash': ct.tenant.key };
  return {
    get: (path: string): Promise<HttpResult> => http.get(path, { headers }),
    post: (path: string, body?: unknown): Promise<HttpResult> => http.post(path, body ?? {}, { headers }),
  };
}

export const connectUser = (baseUrl: string, ct: ChatTenant, userId: string, claims: Record<string, unknown> = {}): Promise<TestWsClient> =>
  connectEndUser(baseUrl, ct.tenant, userId, claims);

export async function join(client: TestWsClient, room: string): Promise<void> {
  const reply = await client.request({ type: 'join', room }, 'joined');
  if (reply.type !== 'joined') throw new Error(`join ${room} failed: ${JSON.stringify(reply)}`);
}

export async function sendMessage(client: TestWsClient, room: string, payload: unknown, clientMessageId?: string): Promise<Frame> {
  const reply = await client.request({ type: 'message', room, payload, ...(clientMessageId ? { clientMessageId } : {}) }, 'sent');
  if (reply.type !== 'sent') throw new Error(`message to ${room} failed: ${JSON.stringify(reply)}`);
  return reply;
}

/** The next `message` event of the room. */
export const nextMessage = (client: TestWsClient, room: string, timeoutMs?: number): Promise<Frame> =>
  client.next((f) => f.type === 'message' && f.data?.room === room, timeoutMs);
