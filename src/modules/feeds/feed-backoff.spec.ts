import { backoffDelay } from './feed-backoff';

describe('feed reconnect backoff', () => {
  it('doubles per attempt up to the maximum, with half of each delay random', () => {
    const low = (n: number) => backoffDelay(n, 1_000, 60_000, () => 0);
    const high = (n: number) => backoffDelay(n, 1_000, 60_000, () => 1);
    expect([0, 1, 2, 3].map(low)).toEqual([500, 1_000, 2_000, 4_000]);
    expect([0, 1, 2, 3].map(high)).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(high(10)).toBe(60_000);
    expect(low(10)).toBe(30_000);
    expect(high(1_000)).toBe(60_000);
  });

  it('spreads delays between half and all of the ceiling', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(2, 100, 10_000)));
    for (const d of seen) {
      expect(d).toBeGreaterThanOrEqual(200);
      expect(d).toBeLessThanOrEqual(400);
    }
    expect(seen.size).toBeGreaterThan(5);
  });
});
