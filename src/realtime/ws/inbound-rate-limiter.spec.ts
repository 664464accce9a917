import { InboundRateLimiter } from './inbound-rate-limiter';

describe('InboundRateLimiter', () => {
  it('allows N per one-second window, then drops, warning once per window', () => {
    const limiter = new InboundRateLimiter(3);
    const t0 = 10_000;
    expect([1, 2, 3].map(() => limiter.allow(t0))).toEqual([true, true, true]);
    expect(limiter.allow(t0 + 10)).toBe(false);
    expect(limiter.shouldWarn()).toBe(true);
    expect(limiter.allow(t0 + 20)).toBe(false);
    expect(limiter.shouldWarn()).toBe(false);
    expect(limiter.allow(t0 + 999)).toBe(false);
    expect(limiter.allow(t0 + 1_000)).toBe(true);
    expect(limiter.shouldWarn()).toBe(true);
  });
});
