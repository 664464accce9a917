import { InProcessRateLimiter } from './in-process-rate-limiter';
import { decide } from './rate-limiter';

describe('rate limiting', () => {
  const rule = { name: 'trigger', perSecond: 3, perMinute: 5 };

  it('allows up to the per-second burst, then refuses with a 1 s retry', () => {
    expect(decide(rule, { second: 2, minute: 2 }, 1, 0)).toEqual({ allowed: true, limit: 5, remaining: 0, retryAfterSeconds: 0 });
    expect(decide(rule, { second: 3, minute: 3 }, 1, 0)).toEqual({ allowed: false, limit: 5, remaining: 0, retryAfterSeconds: 1 });
  });

  it('refuses when the minute is spent, until the minute ends', () => {
    const r = decide(rule, { second: 0, minute: 5 }, 1, 45_000);
    expect(r.allowed).toBe(false);
    expect(r.retryAfterSeconds).toBe(15);
  });

  it('counts several points at once (one trigger to many channels)', () => {
    expect(decide(rule, { second: 0, minute: 0 }, 4, 0).allowed).toBe(false);
    expect(decide(rule, { second: 0, minute: 0 }, 3, 0)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('keeps keys apart and refuses without spending', async () => {
    const limiter = new InProcessRateLimiter();
    const results = [];
    for (let i = 0; i < 5; i++) results.push((await limiter.consume('tenant-a', { name: 'x', perSecond: 3 })).allowed);
    expect(results).toEqual([true, true, true, false, false]);
    expect((await limiter.consume('tenant-b', { name: 'x', perSecond: 3 })).allowed).toBe(true);
  });
});
