import { UpgradeRouter } from './upgrade-router';

describe('UpgradeRouter', () => {
  const router = new UpgradeRouter<string>();
  router.add('/ws/:tenantKey', 'tenant');
  router.add('/ws', 'account');
  router.add('/app/:key', 'pusher');

  it('matches patterns and extracts parameters', () => {
    expect(router.match('/ws/abc123')).toEqual({ handler: 'tenant', params: { tenantKey: 'abc123' } });
    expect(router.match('/ws')).toEqual({ handler: 'account', params: {} });
    expect(router.match('/ws/')).toEqual({ handler: 'account', params: {} });
    expect(router.match('/app/k%20y')).toEqual({ handler: 'pusher', params: { key: 'k y' } });
  });

  it('does not match other paths', () => {
    for (const path of ['/', '/wss', '/ws/a/b', '/app', '/app/', '/x/ws', '/ws/%E0%A4%A']) expect(router.match(path)).toBeNull();
  });

  it('refuses a duplicate pattern', () => {
    expect(() => router.add('/ws', 'again')).toThrow(/already registered/);
  });
});
