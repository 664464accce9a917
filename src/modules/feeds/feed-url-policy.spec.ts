import { checkFeedUrl, parseFeedUrl } from './feed-url-policy';

describe('feed url policy', () => {
  it('accepts ws:// and wss:// only', () => {
    expect(parseFeedUrl('wss://ws-feed.exchange.coinbase.com').ok).toBe(true);
    expect(parseFeedUrl('ws://example.com:9443/ws/!ticker@arr').ok).toBe(true);
    expect(parseFeedUrl('https://example.com')).toEqual({ ok: false, reason: 'url must use ws:// or wss://' });
    expect(parseFeedUrl('ftp://example.com')).toMatchObject({ ok: false });
    expect(parseFeedUrl('not a url')).toEqual({ ok: false, reason: 'url must be an absolute URL' });
    expect(parseFeedUrl('wss://u:p@example.com')).toEqual({ ok: false, reason: 'url must not contain credentials' });
    expect(parseFeedUrl(undefined)).toEqual({ ok: false, reason: 'url is required' });
  });

  it('refuses private and loopback hosts unless allowed', async () => {
    for (const url of ['ws://127.0.0.1:9000', 'ws://10.1.2.3', 'ws://[::1]:80', 'ws://169.254.169.254', 'ws://[::ffff:192.168.0.1]']) {
      expect(await checkFeedUrl(url, false)).toMatchObject({ ok: false, reason: expect.stringMatching(/private, loopback or link-local/) });
      expect((await checkFeedUrl(url, true)).ok).toBe(true);
    }
    expect(await checkFeedUrl('ws://localhost:9000', false)).toMatchObject({ ok: false });
  });
});
