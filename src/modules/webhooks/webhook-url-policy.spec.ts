import { checkWebhookUrl, isPrivateAddress, parseWebhookUrl } from './webhook-url-policy';

describe('webhook URL policy', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::10.0.0.1',
    '2002:c0a8:0101::1',
    'not-an-ip',
  ])('refuses %s', (address) => expect(isPrivateAddress(address)).toBe(true));

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) =>
    expect(isPrivateAddress(address)).toBe(false),
  );

  it('accepts only absolute http(s) URLs without credentials', () => {
    expect(parseWebhookUrl('https://example.com/hook').ok).toBe(true);
    expect(parseWebhookUrl('ftp://example.com/hook')).toEqual({ ok: false, reason: 'url must use http or https' });
    expect(parseWebhookUrl('file:///etc/passwd').ok).toBe(false);
    expect(parseWebhookUrl('javascript:alert(1)').ok).toBe(false);
    expect(parseWebhookUrl('/relative').ok).toBe(false);
    expect(parseWebhookUrl('https://user:pw@example.com/').ok).toBe(false);
  });

  it('checks what the host resolves to, unless private destinations are allowed', async () => {
    expect(await checkWebhookUrl('http://localhost:8080/x', false)).toMatchObject({ ok: false });
    expect(await checkWebhookUrl('http://[::1]:8080/x', false)).toMatchObject({ ok: false });
    expect(await checkWebhookUrl('http://127.0.0.1:8080/x', true)).toMatchObject({ ok: true });
    expect(await checkWebhookUrl('http://8.8.8.8/x', false)).toMatchObject({ ok: true });
  });
});
