import { deliveryRetryDelayMs, mayRetry, maxAttempts, retryDelayMs, WebhookRetryPolicy } from './webhook-retry-policy';

const policy: WebhookRetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 60_000, jitter: 0.2, windowMs: 300_000 };

describe('webhook retry policy', () => {
  it('doubles the delay per attempt up to the cap, jitter only ever shortening it by at most the jitter fraction', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs({ ...policy, jitter: 0 }, n))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(retryDelayMs({ ...policy, jitter: 0 }, 20)).toBe(60_000);
    for (let n = 1; n < 15; n++) {
      const d = deliveryRetryDelayMs(policy, 'some-delivery', n);
      const full = Math.min(60_000, 1_000 * 2 ** (n - 1));
      expect(d).toBeLessThanOrEqual(full);
      expect(d).toBeGreaterThanOrEqual(Math.floor(full * 0.8));
    }
  });

  it('is the same for a delivery wherever it is computed, and differs between deliveries', () => {
    expect(deliveryRetryDelayMs(policy, 'a', 5)).toBe(deliveryRetryDelayMs(policy, 'a', 5));
    const spread = new Set(['a', 'b', 'c', 'd', 'e'].map((id) => deliveryRetryDelayMs(policy, id, 5)));
    expect(spread.size).toBeGreaterThan(1);
  });

  it('retries until the window has passed since the first attempt, and allows enough attempts for it', () => {
    expect(mayRetry(policy, 0, 299_999)).toBe(true);
    expect(mayRetry(policy, 0, 300_000)).toBe(false);
    const attempts = maxAttempts(policy);
    let elapsed = 0;
    for (let n = 1; n < attempts - 1; n++) elapsed += retryDelayMs(policy, n, () => 1);
    expect(elapsed).toBeGreaterThanOrEqual(policy.windowMs);
  });
});
