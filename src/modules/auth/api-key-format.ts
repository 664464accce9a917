import { createHash, randomBytes } from 'node:crypto';

/** Recognisable prefix of every Relaybase API key (secret scanners can match it). */
export const API_KEY_PREFIX = 'rb_live_';
const BODY_BYTES = 32;
const KEY_PATTERN = /^rb_live_[A-Za-z0-9_-]{43}$/;

export interface GeneratedApiKey {
  key: string;
  prefix: string;
  lastChars: string;
  hash: string;
}

export function hashApiKey(key: string): string {
  // The key carries 256 bits of entropy, so a fast hash is enough: nothing to brute-force.
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): GeneratedApiKey {
  const key = API_KEY_PREFIX + randomBytes(BODY_BYTES).toString('base64url');
  return { key, prefix: API_KEY_PREFIX, lastChars: key.slice(-8), hash: hashApiKey(key) };
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX);
}

export function isWellFormedApiKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}
