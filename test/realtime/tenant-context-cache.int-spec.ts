import { TenantContextService } from '../../src/realtime/tenants/tenant-context.service';
import { startTestApp, TestApp } from '../support/test-app';
import { createRealtimeTenant } from './support/realtime-fixtures';

/**
 * The tenant cache on the WebSocket connect path: a hit answers without a promise; at expiry the
 * cached context is served while one refresh runs; past twice the TTL the caller waits for the query.
 */
describe('tenant context cache', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());
  afterEach(() => jest.restoreAllMocks());

  it('answers hits synchronously, refreshes in the background after the TTL, and waits when too stale', async () => {
    const rt = await createRealtimeTenant(t.http);
    const contexts = t.app.get(TenantContextService);
    const first = contexts.byKeyNow(rt.tenant.key);
    expect(first).toBeInstanceOf(Promise); // a miss: the query
    expect((await first)?.enabled).toBe(true);
    const hit = contexts.byKeyNow(rt.tenant.key);
    expect(hit).not.toBeInstanceOf(Promise);
    expect((hit as { id: string }).id).toBe(rt.tenant.id);

    const res = await t.http.patch(`/api/tenants/${rt.tenant.id}`, { enabled: false }, { token: rt.account.token });
    expect(res.status).toBe(200);
    // Within the TTL: still the cached (enabled) context.
    expect((contexts.byKeyNow(rt.tenant.key) as { enabled: boolean }).enabled).toBe(true);

    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 6_000);
    // Expired but younger than twice the TTL: the cached context at once, and a refresh behind it.
    const stale = contexts.byKeyNow(rt.tenant.key);
    expect(stale).not.toBeInstanceOf(Promise);
    expect((stale as { enabled: boolean }).enabled).toBe(true);
    // The refresh lands shortly; meanwhile callers keep getting an answer without waiting.
    // (Polled by count: Date.now is pinned here.)
    let enabled = true;
    for (let i = 0; i < 150 && enabled; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const c = contexts.byKeyNow(rt.tenant.key);
      expect(c).not.toBeInstanceOf(Promise);
      enabled = (c as { enabled: boolean }).enabled;
    }
    expect(enabled).toBe(false);

    // Older than twice the TTL: the caller waits for the database.
    jest.spyOn(Date, 'now').mockReturnValue(now + 30_000);
    const old = contexts.byKeyNow(rt.tenant.key);
    expect(old).toBeInstanceOf(Promise);
    expect((await old)?.enabled).toBe(false);
  });

  it('concurrent misses share one lookup and agree', async () => {
    const rt = await createRealtimeTenant(t.http);
    const contexts = t.app.get(TenantContextService);
    const all = await Promise.all(Array.from({ length: 50 }, () => contexts.byKeyNow(rt.tenant.key)));
    expect(new Set(all)).toEqual(new Set([all[0]]));
    expect(all[0]?.id).toBe(rt.tenant.id);
  });
});
