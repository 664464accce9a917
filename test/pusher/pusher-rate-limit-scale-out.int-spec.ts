import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { createPusherApp, portOf, PusherApp } from './support/pusher-fixtures';
import { pipelined, RawResponse, signedPath } from './support/raw-http';

const JSON_TYPE = { 'content-type': 'application/json' };
const BODY = JSON.stringify({ name: 'e', data: '{}', channel: 'limited' });
const LIMIT = 200;
/** The share of the limit an instance may grant before Redis has its count (LOCAL_SHARE, README "Rate limits"). */
const SHARE = 2;

// The trigger limit is counted across instances through Redis (README "Rate limits").
(hasRedis() ? describe : describe.skip)('Pusher trigger rate limit on two instances sharing Redis', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    const env = { RATE_LIMIT_TRIGGER_PER_MINUTE: String(LIMIT), RATE_LIMIT_TRIGGER_PER_SECOND: '100000' };
    [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  const burst = (t: TestApp, p: PusherApp, n: number): Promise<RawResponse[]> =>
    pipelined(
      portOf(t),
      Array.from({ length: n }, () => ({ path: signedPath(`/apps/${p.tenant.appId}/events`, BODY, p.tenant.key, p.tenant.secret), headers: JSON_TYPE, body: BODY })),
    );

  it('grants the shared per-minute limit across both instances (within one share per other instance), then both refuse with 429 and the headers', async () => {
    const p = await createPusherApp(a);
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 15_000) await new Promise((r) => setTimeout(r, left + 20));
    const answers: RawResponse[] = [];
    for (let round = 0; round < 6; round++) {
      const [fromA, fromB] = await Promise.all([burst(a, p, 20), burst(b, p, 20)]);
      answers.push(...fromA, ...fromB);
    }
    const granted = answers.filter((r) => r.status === 200);
    const refused = answers.filter((r) => r.status === 429);
    expect(granted.length + refused.length).toBe(answers.length);
    expect(granted.length).toBeGreaterThanOrEqual(LIMIT);
    expect(granted.length).toBeLessThanOrEqual(LIMIT + SHARE);
    for (const r of answers) expect(r.headers['x-ratelimit-limit']).toBe(String(LIMIT));
    for (const r of granted) expect(Number(r.headers['x-ratelimit-remaining'])).toBeLessThan(LIMIT);
    expect(refused[0].json).toEqual({ error: 'Rate limit exceeded', code: 429 });
    expect(refused[0].headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(refused[0].headers['retry-after'])).toBeGreaterThan(0);
    // Once the instances have synced, each refuses on its own.
    await new Promise((r) => setTimeout(r, 100));
    for (const t of [a, b]) expect((await burst(t, p, 1))[0].status).toBe(429);
    // Another tenant has its own counters.
    const other = await createPusherApp(b);
    expect((await burst(a, other, 1))[0].status).toBe(200);
  });
});
