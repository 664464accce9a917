import Pusher from 'pusher';
import { HttpClient } from '../../support/http-client';
import { TestAccount } from '../../factories/account.factory';

export { isolatedPrefix } from '../../support/test-services';

/** Settings for fast, deterministic tests: loopback receivers allowed, short retries. */
export const FAST_WEBHOOKS = {
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_RETRY_BASE_DELAY_MS: '100',
  WEBHOOK_RETRY_MAX_DELAY_MS: '400',
  WEBHOOK_RETRY_JITTER: '0.2',
  WEBHOOK_RETRY_WINDOW_MS: '1500',
  WEBHOOK_FLAP_SUPPRESS_MS: '400',
  WEBHOOK_TIMEOUT_MS: '1000',
};

export async function createEndpoint(
  http: HttpClient,
  account: TestAccount,
  tenantId: string,
  body: Record<string, unknown>,
): Promise<{ id: string; [k: string]: unknown }> {
  const res = await http.post(`/api/tenants/${tenantId}/webhooks`, body, { token: account.token });
  if (res.status !== 201) throw new Error(`create webhook failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data;
}

export async function listDeliveries(http: HttpClient, account: TestAccount, tenantId: string, endpointId: string, query = ''): Promise<any[]> {
  const res = await http.get(`/api/tenants/${tenantId}/webhooks/${endpointId}/deliveries${query}`, { token: account.token });
  if (res.status !== 200) throw new Error(`list deliveries failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.items;
}

/** Whether the `pusher` server SDK's webhook validator accepts the request for this app's credentials. */
export function pusherAccepts(app: { appId: string; key: string; secret: string }, req: { headers: object; rawBody: string }): boolean {
  // The cluster is only needed by the SDK's types; validating a webhook makes no network call.
  const pusher = new Pusher({ appId: app.appId, key: app.key, secret: app.secret, cluster: 'mt1' });
  return pusher.webhook({ headers: req.headers as Record<string, string>, rawBody: req.rawBody }).isValid();
}

/** The SDK's parsed view of an accepted webhook. */
export function pusherWebhook(app: { appId: string; key: string; secret: string }, req: { headers: object; rawBody: string }) {
  const pusher = new Pusher({ appId: app.appId, key: app.key, secret: app.secret, cluster: 'mt1' });
  return pusher.webhook({ headers: req.headers as Record<string, string>, rawBody: req.rawBody });
}
