import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../../common/constant-time';
import type { WebhookFormat } from './webhook-event';

/** Headers our own signing sets; an endpoint's custom headers can neither set nor override them. */
export const RESERVED_HEADERS = [
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
  'user-agent',
  'x-pusher-key',
  'x-pusher-signature',
  'x-relaybase-key',
  'x-relaybase-signature',
  'x-relaybase-delivery',
  'x-relaybase-timestamp',
];

export const WEBHOOK_USER_AGENT = 'Relaybase-Webhooks/1.0';

const hmacHex = (secret: string, data: string) => createHmac('sha256', secret).update(data, 'utf8').digest('hex');

/** Pusher: hex HMAC-SHA256 of the raw body with the tenant secret (what the `pusher` SDK's webhook() checks). */
export function pusherSignature(secret: string, rawBody: string): string {
  return hmacHex(secret, rawBody);
}

/** Native: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, so a replayed request shows its age. */
export function nativeSignature(secret: string, rawBody: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${hmacHex(secret, `${unixSeconds}.${rawBody}`)}`;
}

/**
 * Checks a native signature header the way a receiver should: the HMAC matches and the timestamp
 * is within `toleranceSeconds` of now. Exported for receivers written in TypeScript and for tests.
 */
export function verifyNativeSignature(
  secret: string,
  rawBody: string,
  header: string,
  toleranceSeconds = 300,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const parts = new Map(header.split(',').map((p) => p.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || !v1) return false;
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  return constantTimeEqual(v1, hmacHex(secret, `${t}.${rawBody}`));
}

export interface SignedRequestInput {
  format: WebhookFormat;
  rawBody: string;
  tenantKey: string;
  secret: string;
  deliveryId: string;
  /** The endpoint's own headers; reserved names among them are ignored. */
  customHeaders: Record<string, string>;
  nowMs?: number;
}

/** The full header set of one attempt: custom headers first, then ours, which win. */
export function signedHeaders(input: SignedRequestInput): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.customHeaders)) {
    if (!RESERVED_HEADERS.includes(name.toLowerCase())) headers[name] = value;
  }
  headers['Content-Type'] = 'application/json';
  headers['User-Agent'] = WEBHOOK_USER_AGENT;
  // Both formats name the delivery, so receivers can de-duplicate retries.
  headers['X-Relaybase-Delivery'] = input.deliveryId;
  if (input.format === 'pusher') {
    headers['X-Pusher-Key'] = input.tenantKey;
    headers['X-Pusher-Signature'] = pusherSignature(input.secret, input.rawBody);
  } else {
    const t = Math.floor((input.nowMs ?? Date.now()) / 1000);
    headers['X-Relaybase-Key'] = input.tenantKey;
    headers['X-Relaybase-Timestamp'] = String(t);
    headers['X-Relaybase-Signature'] = nativeSignature(input.secret, input.rawBody, t);
  }
  return headers;
}
