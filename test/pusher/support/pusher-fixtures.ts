import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import PusherServer from 'pusher';
// The Node build of the official client, as an application would use it.
import PusherClient from 'pusher-js';
import { createAccount, createApiKey, createTenant, TestAccount, TestTenant } from '../../factories/account.factory';
import type { TestApp } from '../../support/test-app';

export { PusherClient, PusherServer };

export interface PusherApp {
  account: TestAccount;
  tenant: TestTenant;
  /** A tenant-bound API key with every scope: seed 000's master key. */
  masterKey: string;
}

export const ENCRYPTION_MASTER_KEY = randomBytes(32).toString('base64');

export async function createPusherApp(t: TestApp, settings: Record<string, unknown> = {}): Promise<PusherApp> {
  const account = await createAccount(t.http, 'pusher');
  const tenant = await createTenant(t.http, account);
  if (Object.keys(settings).length > 0) await t.http.patch(`/api/tenants/${tenant.id}`, settings, { token: account.token });
  const { key } = await createApiKey(t.http, account, { scopes: ['*'], tenantId: tenant.id });
  return { account, tenant, masterKey: key };
}

export function portOf(t: TestApp): number {
  return (t.app.getHttpServer().address() as AddressInfo).port;
}

/** The official server SDK pointed at an instance, signing with the tenant secret. */
export function serverSdk(t: TestApp, tenant: TestTenant, secret = tenant.secret): PusherServer {
  return new PusherServer({
    appId: tenant.appId,
    key: tenant.key,
    secret,
    host: '127.0.0.1',
    port: String(portOf(t)),
    useTLS: false,
    encryptionMasterKeyBase64: ENCRYPTION_MASTER_KEY,
  });
}

export interface ClientOptions {
  /** Presence member this client authorises itself as. */
  presence?: { user_id: string; user_info?: Record<string, unknown> };
  /** User data for signin. */
  user?: { id: string; user_info?: Record<string, unknown>; watchlist?: string[] };
  /** Sign channel auth with this secret instead of the tenant's (to test refusals). */
  secret?: string;
}

type Callback = (error: Error | null, data: any) => void;

/** The official client, connected over `ws` only, authorising channels and users with the server SDK. */
export function client(t: TestApp, tenant: TestTenant, options: ClientOptions = {}, key = tenant.key): PusherClient {
  const signer = serverSdk(t, tenant, options.secret ?? tenant.secret);
  return new PusherClient(key, {
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: portOf(t),
    forceTLS: false,
    enabledTransports: ['ws'],
    channelAuthorization: {
      endpoint: 'unused',
      transport: 'ajax',
      customHandler: ({ socketId, channelName }: { socketId: string; channelName: string }, callback: Callback) =>
        callback(null, signer.authorizeChannel(socketId, channelName, channelName.startsWith('presence-') ? options.presence : undefined)),
    },
    userAuthentication: {
      endpoint: 'unused',
      transport: 'ajax',
      customHandler: ({ socketId }: { socketId: string }, callback: Callback) =>
        callback(null, signer.authenticateUser(socketId, options.user ?? { id: 'nobody' })),
    },
  } as any);
}

export function connected(c: PusherClient, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not connected: state ${c.connection.state}`)), timeoutMs);
    if (c.connection.state === 'connected') {
      clearTimeout(timer);
      return resolve(c.connection.socket_id);
    }
    c.connection.bind('connected', () => {
      clearTimeout(timer);
      resolve(c.connection.socket_id);
    });
  });
}

/** Resolves with the next occurrence of `event` on the emitter (a channel, the connection, the user). */
export function next<T = any>(emitter: { bind(event: string, cb: (data: T, meta?: any) => void): unknown; unbind(event: string, cb?: any): unknown }, event: string, timeoutMs = 5_000): Promise<{ data: T; meta: any }> {
  return new Promise((resolve, reject) => {
    const handler = (data: T, meta?: any) => {
      clearTimeout(timer);
      emitter.unbind(event, handler);
      resolve({ data, meta });
    };
    const timer = setTimeout(() => {
      emitter.unbind(event, handler);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.bind(event, handler);
  });
}

/** Subscribes and waits for pusher:subscription_succeeded (rejects on pusher:subscription_error). */
export async function subscribed(c: PusherClient, name: string): Promise<any> {
  const channel = c.subscribe(name);
  const outcome = await Promise.race([
    next(channel, 'pusher:subscription_succeeded').then((r) => ({ ok: true as const, data: r.data })),
    next(channel, 'pusher:subscription_error').then((r) => ({ ok: false as const, data: r.data })),
  ]);
  if (!outcome.ok) throw Object.assign(new Error('subscription_error'), { data: outcome.data });
  return channel;
}

/** Resolves true when nothing matching arrives within `ms`. */
export function silence(emitter: { bind(e: string, cb: () => void): unknown; unbind(e: string, cb?: any): unknown }, event: string, ms = 400): Promise<boolean> {
  return new Promise((resolve) => {
    const handler = () => {
      clearTimeout(timer);
      emitter.unbind(event, handler);
      resolve(false);
    };
    const timer = setTimeout(() => {
      emitter.unbind(event, handler);
      resolve(true);
    }, ms);
    emitter.bind(event, handler);
  });
}

export function disconnected(c: PusherClient, timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (c.connection.state === 'disconnected') return resolve();
    const timer = setTimeout(() => reject(new Error(`still ${c.connection.state}`)), timeoutMs);
    c.connection.bind('state_change', ({ current }: { current: string }) => {
      if (current === 'disconnected' || current === 'failed' || current === 'unavailable') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
