import { API_KEY_PREFIX, generateApiKey, hashApiKey, isWellFormedApiKey, looksLikeApiKey } from './api-key-format';

describe('API key format', () => {
  it('generates prefixed keys with 256 bits of randomness, shown by their last 8 characters', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key.startsWith(API_KEY_PREFIX)).toBe(true);
    expect(Buffer.from(a.key.slice(API_KEY_PREFIX.length), 'base64url')).toHaveLength(32);
    expect(a.lastChars).toBe(a.key.slice(-8));
    expect(a.key).not.toBe(b.key);
    expect(isWellFormedApiKey(a.key)).toBe(true);
    expect(looksLikeApiKey(a.key)).toBe(true);
  });

  it('stores a hash that is not the key and is stable', () => {
    const { key, hash } = generateApiKey();
    expect(hash).not.toContain(key.slice(API_KEY_PREFIX.length));
    expect(hashApiKey(key)).toBe(hash);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects malformed keys before any lookup', () => {
    expect(isWellFormedApiKey('rb_live_short')).toBe(false);
    expect(isWellFormedApiKey(`xx_live_${'a'.repeat(43)}`)).toBe(false);
    expect(isWellFormedApiKey(`${API_KEY_PREFIX}${'a'.repeat(42)}!`)).toBe(false);
  });
});
