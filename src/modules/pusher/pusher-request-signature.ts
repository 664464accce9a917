import { createHmac, hash } from 'node:crypto';
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

/** Whether `given` is the hex HMAC-SHA256 of `text` (either case), compared in constant time. */
function signatureMatches(given: string, secret: string, text: string): boolean {
  return hexEqual(given, hmacSha256Hex(secret, text));
}

/**
 * Whether `given` (hex, either case) is `expected` (lower-case hex), in constant time. Lower-casing
 * reads only the caller's own input, never `expected`.
 */
function hexEqual(given: string, expected: string): boolean {
  return constantTimeEqual(given.toLowerCase(), expected);
}

const SHA256_BLOCK = 64;
const SHA256_BYTES = 32;
/** Scratch space, used synchronously: the inner HMAC message (key block, then the text) and the outer one. */
const INNER = Buffer.alloc(SHA256_BLOCK + 4096);
const OUTER = Buffer.alloc(SHA256_BLOCK + SHA256_BYTES);
/** Room for the text in INNER, in bytes. */
const INNER_TEXT_MAX = INNER.length - SHA256_BLOCK;

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
 * Hex HMAC-SHA256 of `text` under `secret`, equal to createHmac('sha256', secret).update(text).digest('hex'):
 * the key blocks are derived once per secret and the two hashes are one-shot calls, which costs
 * about half of a createHmac object per request.
 */
function hmacSha256Hex(secret: string, text: string): string {
  // A text that might not fit in the scratch space (up to 3 UTF-8 bytes per UTF-16 unit) is taken the slow way.
  if (text.length * 3 > INNER_TEXT_MAX) return createHmac('sha256', secret).update(text).digest('hex');
  return finishHmacHex(padsOf(secret), INNER.write(text, SHA256_BLOCK, 'utf8'));
}

/** The hex HMAC of the `length` bytes of text already in INNER after its key block, which this writes. */
function finishHmacHex(pads: HmacPads, length: number): string {
  INNER.set(pads.inner, 0);
  OUTER.set(pads.outer, 0);
  // The inner digest as a 'binary' (latin1) string, one character per byte, written back as bytes:
  // the 'buffer' output of hash() costs a native allocation and a slow encoding lookup.
  OUTER.write(hash('sha256', INNER.subarray(0, SHA256_BLOCK + length), 'binary'), SHA256_BLOCK, 'latin1');
  return hash('sha256', OUTER, 'hex');
}

export const md5Hex = (body: Buffer | string) => hash('md5', body, 'hex');

/**
 * Checks a signed REST request against the tenant's key and secret: the key, the version, the
 * timestamp within ±600 s, body_md5 against the bytes received, and the signature (constant time).
 */
export function verifyPusherRequest(req: SignedRequest, key: string, secret: string, nowSeconds = Date.now() / 1000): SignatureCheck {
  const stringToSign = pusherStringToSign(req.method, req.path, req.query);
  return checkAuthParams(req.query, req.rawBody, key, nowSeconds, (given) => signatureMatches(given, secret, stringToSign));
}

/** The query parameters a signed request is checked by. */
type AuthParams = Partial<Record<'auth_key' | 'auth_signature' | 'auth_timestamp' | 'auth_version' | 'body_md5', string>>;

const OK: SignatureCheck = Object.freeze({ ok: true });

/** The checks of verifyPusherRequest, given the parameters and how to check the signature given against the string the client should have signed. */
function checkAuthParams(q: AuthParams, rawBody: Buffer | undefined, key: string, nowSeconds: number, signatureMatches: (given: string) => boolean): SignatureCheck {
  if (!q.auth_key || !q.auth_signature || !q.auth_timestamp) return { ok: false, reason: 'Missing auth_key, auth_timestamp or auth_signature' };
  if (q.auth_version !== undefined && q.auth_version !== '1.0') return { ok: false, reason: 'Unsupported auth_version' };
  if (!constantTimeEqual(q.auth_key, key)) return { ok: false, reason: 'Unknown auth_key' };
  const timestamp = Number(q.auth_timestamp);
  if (!Number.isFinite(timestamp) || Math.abs(nowSeconds - timestamp) > AUTH_TIMESTAMP_WINDOW_SECONDS) {
    return { ok: false, reason: `Timestamp expired: given ${q.auth_timestamp}, server time ${Math.floor(nowSeconds)} (allowed drift ${AUTH_TIMESTAMP_WINDOW_SECONDS} s)` };
  }
  const hasBody = rawBody !== undefined && rawBody.length > 0;
  if (hasBody && q.body_md5 !== md5Hex(rawBody)) return { ok: false, reason: 'body_md5 does not match the request body' };
  if (!signatureMatches(q.auth_signature)) {
    return { ok: false, reason: 'Invalid signature: you should have sent HmacSHA256Hex(string_to_sign, secret)' };
  }
  return OK;
}

/** A path the URL parser leaves as it is: no dot segments, escapes, backslashes or leading `//`. */
export const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9_\-/]*$/;
/** A query of printable ASCII without `%`, `+` or `#`: its parameters are exactly its text, nothing to decode. */
export const PLAIN_QUERY = /^[\x21\x22\x24\x26-\x2a\x2c-\x7e]*$/;
const SIGNATURE_PARAM = '&auth_signature=';
const UPPER_CASE = /[A-Z]/;
const NEWLINE = 0x0a;

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
  const s = signatureAt(target);
  if (q === -1 || s < q) return false;
  if (!PLAIN_PATH.test(target.slice(0, q)) || !PLAIN_QUERY.test(target)) return false;
  const params: AuthParams = { auth_key: undefined, auth_signature: undefined, auth_timestamp: undefined, auth_version: undefined, body_md5: undefined };
  // The previous name, for the ascending order: the constant itself after one of the four names
  // (compared without cutting the name out of the target), else the name cut out.
  let previous = '';
  for (let start = q + 1; start < s; ) {
    let end = target.indexOf('&', start);
    if (end === -1 || end > s) end = s;
    const eq = target.indexOf('=', start);
    if (eq === -1 || eq >= end) return false;
    const known = knownParamAt(target, start, eq);
    const name = known ?? target.slice(start, eq);
    if (name <= previous || (known === undefined && (name === 'auth_signature' || UPPER_CASE.test(name)))) return false;
    previous = name;
    if (known !== undefined) setParam(params, known, target.slice(eq + 1, end));
    start = end + 1;
  }
  const signature = target.slice(s + SIGNATURE_PARAM.length);
  if (signature.includes('&')) return false;
  params.auth_signature = signature;
  const upper = method.toUpperCase();
  return checkAuthParams(params, rawBody, key, nowSeconds, (given) => hexEqual(given, canonicalHmacHex(secret, upper, target, q, s))).ok;
}

/**
 * Where the last `&auth_signature=` starts: looked for first just before the 64 hex digits that end
 * the target. (Another one later in the target would be inside the signature, which then holds a `&`
 * and is refused either way.)
 */
function signatureAt(target: string): number {
  const at = target.length - SIGNATURE_PARAM.length - 2 * SHA256_BYTES;
  return at > 0 && target.startsWith(SIGNATURE_PARAM, at) ? at : target.lastIndexOf(SIGNATURE_PARAM);
}

/** A store by constant name for each parameter, so that the object keeps one shape and the stores stay monomorphic. */
function setParam(params: AuthParams, name: KnownParam, value: string): void {
  switch (name) {
    case 'auth_key':
      params.auth_key = value;
      break;
    case 'auth_timestamp':
      params.auth_timestamp = value;
      break;
    case 'auth_version':
      params.auth_version = value;
      break;
    case 'body_md5':
      params.body_md5 = value;
      break;
  }
}

type KnownParam = 'auth_key' | 'auth_timestamp' | 'auth_version' | 'body_md5';
const KNOWN_PARAMS: readonly KnownParam[] = ['auth_key', 'auth_timestamp', 'auth_version', 'body_md5'];

/** Which of the four parameters the name `target[start, eq)` is, if any, read in place. */
function knownParamAt(target: string, start: number, eq: number): KnownParam | undefined {
  for (let i = 0; i < KNOWN_PARAMS.length; i++) {
    const name = KNOWN_PARAMS[i];
    if (eq - start === name.length && target.startsWith(name, start)) return name;
  }
  return undefined;
}

/**
 * The hex HMAC of a canonical target's string to sign, `METHOD\npath\nquery`, written into the
 * scratch space without building it: the method, a newline, then the target up to `&auth_signature`
 * with its `?` overwritten by a newline. The target is all ASCII here (PLAIN_PATH, PLAIN_QUERY), one
 * byte per character.
 */
function canonicalHmacHex(secret: string, method: string, target: string, q: number, s: number): string {
  if ((method.length + 1) * 3 + s > INNER_TEXT_MAX) return hmacSha256Hex(secret, `${method}\n${target.slice(0, q)}\n${target.slice(q + 1, s)}`);
  const at = SHA256_BLOCK + writeMethod(method);
  INNER[at] = NEWLINE;
  INNER.write(target, at + 1, s, 'latin1');
  INNER[at + 1 + q] = NEWLINE;
  return finishHmacHex(padsOf(secret), at + 1 + s - SHA256_BLOCK);
}

/** Writes the method after INNER's key block and returns its length in bytes: byte by byte when it is ASCII (always, from the HTTP parser). */
function writeMethod(method: string): number {
  for (let i = 0; i < method.length; i++) {
    const c = method.charCodeAt(i);
    if (c > 0x7f) return INNER.write(method, SHA256_BLOCK, 'utf8');
    INNER[SHA256_BLOCK + i] = c;
  }
  return method.length;
}
