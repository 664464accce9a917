import { backoffDelay, ProviderBackoff } from './provider-backoff';

describe('ProviderBackoff (in-process, without Redis)', () => {
  it('doubles per consecutive failure up to the max, honours a longer Retry-After, and clears on success', async () => {
    let now = 1_000;
    const b = new ProviderBackoff(100, 1_000, null, '', () => now);
    expect(await b.remainingMs('openai')).toBe(0);
    expect(await b.failed('openai', null)).toBe(100);
    expect(await b.failed('openai', null)).toBe(200);
    expect(await b.failed('openai', null)).toBe(400);
    expect(await b.failed('openai', null)).toBe(800);
    expect(await b.failed('openai', null)).toBe(1_000);
    expect(await b.failed('openai', 5_000)).toBe(5_000);
    expect(await b.remainingMs('openai')).toBe(5_000);
    expect(await b.remainingMs('anthropic')).toBe(0);
    now += 4_000;
    expect(await b.remainingMs('openai')).toBe(1_000);
    await b.succeeded('openai');
    expect(await b.remainingMs('openai')).toBe(0);
    expect(await b.failed('openai', null)).toBe(100);
  });

  it('computes the delay the same way for any failure count', () => {
    expect(backoffDelay(1, null, 300, 1_000)).toBe(300);
    expect(backoffDelay(3, null, 300, 1_000)).toBe(1_000);
    expect(backoffDelay(100, null, 300, 1_000)).toBe(1_000);
    expect(backoffDelay(1, 200, 300, 1_000)).toBe(300);
    expect(backoffDelay(1, 7_000.5, 300, 1_000)).toBe(7_001);
  });
});
