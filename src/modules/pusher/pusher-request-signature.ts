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
  const expected = hmacSha256(secret, text);
  // Buffer#write(hex) stops at the first pair that is not hex: such a signature decodes short and is refused.
  const decoded = given.length === 2 * SHA256_BYTES ? GIVEN.write(given, 0, SHA256_BYTES, 'hex') : 0;
  if (decoded !== SHA256_BYTES) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(GIVEN, expected);
}

const SHA256_BYTES = 32;
const SHA256_BLOCK = 64;
/** Scratch space, used synchronously: the signature given, the inner and the outer HMAC message. */
const GIVEN = Buffer.alloc(SHA256_BYTES);
const INNER = Buffer.alloc(SHA256_BLOCK + 4096);
const OUTER = Buffer.alloc(SHA256_BLOCK + SHA256_BYTES);

/** A secret's HMAC key blocks (RFC 2104: the key, hashed when longer than a block, XOR ipad and XOR opad). */
interface HmacPads {
  inner: Buffer;
  outer: Buffer;
}
const padsBySecret = new Map<string, HmacPads>();
const MAX_CACHED_SECRETS = 4096;

function padsOf(secret: string): HmacPads {
  let pads = padsBySecret.get(secret);
  if (pads === undefined) {
    let key = Buffer.from(secret, 'utf8');
    if (key.length > SHA256_BLOCK) key = hash('sha256', key, 'buffer');
    const inner = Buffer.alloc(SHA256_BLOCK, 0x36);
    const outer = Buffer.alloc(SHA256_BLOCK, 0x5c);
    for (let i = 0; i < key.length; i++) {
      inner[i] ^= key[i];
      outer[i] ^= key[i];
    }
    pads = { inner, outer };
    if (padsBySecret.size >= MAX_CACHED_SECRETS) padsBySecret.clear();
    padsBySecret.set(secret, pads);
  }
  return pads;
}

/**
 * HMAC-SHA256 of `text` under `secret`, equal to createHmac('sha256', secret).update(text).digest():
 * the key blocks are derived once per secret and the two hashes are one-shot calls, which costs
 * about half of a createHmac object per request.
 */
function hmacSha256(secret: string, text: string): Buffer {
  const pads = padsOf(secret);
  if (text.length > INNER.length - SHA256_BLOCK) return createHmac('sha256', secret).update(text).digest();
  pads.inner.copy(INNER, 0);
  const written = INNER.write(text, SHA256_BLOCK, 'utf8');
  // Buffer#write stops before a character that does not fit (at most 4 bytes): with fewer than 4 bytes
  // left, a text of multi-byte characters may have been cut, and the HMAC is taken the slow way.
  if (written > INNER.length - SHA256_BLOCK - 4) return createHmac('sha256', secret).update(text).digest();
  pads.outer.copy(OUTER, 0);
  hash('sha256', INNER.subarray(0, SHA256_BLOCK + written), 'buffer').copy(OUTER, SHA256_BLOCK);
  return hash('sha256', OUTER, 'buffer');
}

export const md5Hex = (body: Buffer | string) => hash('md5', body, 'hex');

/**
 * Checks a signed REST request against the tenant's key and secret: the key, the version, the
 * timestamp within ±600 s, body_md5 against the bytes received, and the signature (constant time).
 */
export function verifyPusherRequest(req: SignedRequest, key: string, secret: string, nowSeconds = Date.now() / 1000): SignatureCheck {
  return checkAuthParams(req.query, req.rawBody, key, secret, nowSeconds, pusherStringToSign(req.method, req.path, req.query));
}

/** The query parameters a signed request is checked by. */
type AuthParams = Partial<Record<'auth_key' | 'auth_signature' | 'auth_timestamp' | 'auth_version' | 'body_md5', string>>;

/** The checks of verifyPusherRequest, given the parameters and the string the client should have signed. */
function checkAuthParams(q: AuthParams, rawBody: Buffer | undefined, key: string, secret: string, nowSeconds: number, stringToSign: string): SignatureCheck {
  if (!q.auth_key || !q.auth_signature || !q.auth_timestamp) return { ok: false, reason: 'Missing auth_key, auth_timestamp or auth_signature' };
  if (q.auth_version !== undefined && q.auth_version !== '1.0') return { ok: false, reason: 'Unsupported auth_version' };
  if (!constantTimeEqual(q.auth_key, key)) return { ok: false, reason: 'Unknown auth_key' };
  const timestamp = Number(q.auth_timestamp);
  if (!Number.isFinite(timestamp) || Math.abs(nowSeconds - timestamp) > AUTH_TIMESTAMP_WINDOW_SECONDS) {
    return { ok: false, reason: `Timestamp expired: given ${q.auth_timestamp}, server time ${Math.floor(nowSeconds)} (allowed drift ${AUTH_TIMESTAMP_WINDOW_SECONDS} s)` };
  }
  const hasBody = rawBody !== undefined && rawBody.length > 0;
  if (hasBody && q.body_md5 !== md5Hex(rawBody)) return { ok: false, reason: 'body_md5 does not match the request body' };
  if (!signatureMatches(q.auth_signature, secret, stringToSign)) {
    return { ok: false, reason: 'Invalid signature: you should have sent HmacSHA256Hex(string_to_sign, secret)' };
  }
  return { ok: true };
}

/** A path the URL parser leaves as it is: no dot segments, escapes, backslashes or leading `//`. */
export const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9_\-/]*$/;
/** A query of printable ASCII without `%`, `+` or `#`: its parameters are exactly its text, nothing to decode. */
export const PLAIN_QUERY = /^[\x21\x22\x24\x26-\x2a\x2c-\x7e]*$/;
const SIGNATURE_PARAM = '&auth_signature=';
const UPPER_CASE = /[A-Z]/;
const AUTH_PARAMS = new Set(['auth_key', 'auth_timestamp', 'auth_version', 'body_md5']);

/**
 * verifyPusherRequest() for the request target the server SDKs send, read in one pass: a plain path
 * and query whose parameters are lower-case, in ascending order, each `name=value`, with
 * `auth_signature` last. The string to sign is then the query itself up to `&auth_signature`.
 *
 * True only when the request is such a target and passes the checks of verifyPusherRequest (the
 * same function, checkAuthParams); false says nothing (another spelling, or a failure), and the caller then runs the general path,
 * which gives the exact answer and error.
 */
export function verifyCanonicalPusherRequest(method: string, target: string, rawBody: Buffer | undefined, key: string, secret: string, nowSeconds = Date.now() / 1000): boolean {
  const q = target.indexOf('?');
  const s = target.lastIndexOf(SIGNATURE_PARAM);
  if (q === -1 || s < q) return false;
  const path = target.slice(0, q);
  if (!PLAIN_PATH.test(path) || !PLAIN_QUERY.test(target)) return false;
  const params: AuthParams = {};
  let previous = '';
  for (let start = q + 1; start < s; ) {
    let end = target.indexOf('&', start);
    if (end === -1 || end > s) end = s;
    const eq = target.indexOf('=', start);
    if (eq === -1 || eq >= end) return false;
    const name = target.slice(start, eq);
    if (name <= previous || name === 'auth_signature' || UPPER_CASE.test(name)) return false;
    previous = name;
    if (AUTH_PARAMS.has(name)) params[name as keyof AuthParams] = target.slice(eq + 1, end);
    start = end + 1;
  }
  params.auth_signature = target.slice(s + SIGNATURE_PARAM.length);
  if (params.auth_signature.includes('&')) return false;
  return checkAuthParams(params, rawBody, key, secret, nowSeconds, `${method.toUpperCase()}\n${path}\n${target.slice(q + 1, s)}`).ok;
}
