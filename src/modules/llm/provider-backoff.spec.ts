import { ProviderBackoff } from './provider-backoff';

describe('ProviderBackoff', () => {
  it('doubles per consecutive failure up to the max, honours a longer Retry-After, and clears on success', () => {
    let now = 1_000;
    const b = new ProviderBackoff(100, 1_000, () => now);
    expect(b.remainingMs('openai')).toBe(0);
    expect(b.failed('openai', null)).toBe(100);
    expect(b.failed('openai', null)).toBe(200);
    expect(b.failed('openai', null)).toBe(400);
    expect(b.failed('openai', null)).toBe(800);
    expect(b.failed('openai', null)).toBe(1_000);
    expect(b.failed('openai', 5_000)).toBe(5_000);
    expect(b.remainingMs('openai')).toBe(5_000);
    expect(b.remainingMs('anthropic')).toBe(0);
    now += 4_000;
    expect(b.remainingMs('openai')).toBe(1_000);
    b.succeeded('openai');
    expect(b.remainingMs('openai')).toBe(0);
    expect(b.failed('openai', null)).toBe(100);
  });
});
