import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import { constantTimeEqual } from '../../common/constant-time';

/** What the REST API receives, with the query already decoded (one value per key). */
export interface SignedRequest {
  method: string;
  /** The path as the client signed it, e.g. `/apps/3/events`. */
  path: string;
  query: Record<string, string>;
  rawBody: Buffer | undefined;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export const AUTH_TIMESTAMP_WINDOW_SECONDS = 600;

/**
 * The string Pusher signs (auth_version 1.0): METHOD, path and the query without auth_signature,
 * keys lower-cased and sorted, values unescaped, joined with newlines.
 */
export function pusherStringToSign(method: string, path: string, query: Record<string, string>): string {
  // Plain loops rather than entries/filter/map/sort/map/join: this runs on every REST request.
  const pairs: Array<[string, string]> = [];
  for (const k of Object.keys(query)) {
    const lower = k.toLowerCase();
    if (lower !== 'auth_signature') pairs.push([lower, query[k]]);
  }
  if (pairs.length > 1) pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let params = '';
  for (let i = 0; i < pairs.length; i++) params += (i === 0 ? '' : '&') + pairs[i][0] + '=' + pairs[i][1];
  return `${method.toUpperCase()}\n${path}\n${params}`;
}

export function signPusherRequest(secret: string, method: string, path: string, query: Record<string, string>): string {
  return createHmac('sha256', secret).update(pusherStringToSign(method, path, query)).digest('hex');
}

/** Whether `given` is the hex HMAC-SHA256 of `text` (either case), compared in constant time as bytes. */
function signatureMatches(given: string, secret: string, text: string): boolean {
  const expected = createHmac('sha256', secret).update(text).digest();
  // Buffer.from(hex) stops at the first pair that is not hex: such a signature decodes short and is refused.
  const bytes = given.length === 2 * expected.length ? Buffer.from(given, 'hex') : EMPTY;
  if (bytes.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(bytes, expected);
}

const EMPTY = Buffer.alloc(0);

export const md5Hex = (body: Buffer | string) => hash('md5', body, 'hex');

/**
 * Checks a signed REST request against the tenant's key and secret: the key, the version, the
 * timestamp within ±600 s, body_md5 against the bytes received, and the signature (constant time).
 */
export function verifyPusherRequest(req: SignedRequest, key: string, secret: string, nowSeconds = Date.now() / 1000): SignatureCheck {
  const q = req.query;
  if (!q.auth_key || !q.auth_signature || !q.auth_timestamp) return { ok: false, reason: 'Missing auth_key, auth_timestamp or auth_signature' };
  if (q.auth_version !== undefined && q.auth_version !== '1.0') return { ok: false, reason: 'Unsupported auth_version' };
  if (!constantTimeEqual(q.auth_key, key)) return { ok: false, reason: 'Unknown auth_key' };
  const timestamp = Number(q.auth_timestamp);
  if (!Number.isFinite(timestamp) || Math.abs(nowSeconds - timestamp) > AUTH_TIMESTAMP_WINDOW_SECONDS) {
    return { ok: false, reason: `Timestamp expired: given ${q.auth_timestamp}, server time ${Math.floor(nowSeconds)} (allowed drift ${AUTH_TIMESTAMP_WINDOW_SECONDS} s)` };
  }
  const hasBody = req.rawBody !== undefined && req.rawBody.length > 0;
  if (hasBody && q.body_md5 !== md5Hex(req.rawBody!)) return { ok: false, reason: 'body_md5 does not match the request body' };
  if (!signatureMatches(q.auth_signature, secret, pusherStringToSign(req.method, req.path, q))) {
    return { ok: false, reason: 'Invalid signature: you should have sent HmacSHA256Hex(string_to_sign, secret)' };
  }
  return { ok: true };
}
