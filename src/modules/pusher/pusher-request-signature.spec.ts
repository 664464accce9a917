import { md5Hex, pusherStringToSign, signPusherRequest, verifyPusherRequest } from './pusher-request-signature';

// The test vector of the protocol reference (§6), from Pusher's documentation.
const key = '278d425bdf160c739803';
const secret = '7ad3773142a6692b25b8';
const body = Buffer.from('{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}');
const query = { auth_key: key, auth_timestamp: '1353088179', auth_version: '1.0', body_md5: 'ec365a775a4cd0599faeb73354201b6f' };
const signature = 'da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c';

describe('Pusher request signing', () => {
  it('matches the documented body_md5, string to sign and signature', () => {
    expect(md5Hex(body)).toBe(query.body_md5);
    expect(pusherStringToSign('post', '/apps/3/events', query)).toBe(
      'POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f',
    );
    expect(signPusherRequest(secret, 'POST', '/apps/3/events', query)).toBe(signature);
  });

  it('lower-cases keys, sorts them and leaves values unescaped', () => {
    expect(pusherStringToSign('GET', '/apps/1/channels', { Name: 'Something else', auth_key: 'foo', info: 'user_count,subscription_count' })).toBe(
      'GET\n/apps/1/channels\nauth_key=foo&info=user_count,subscription_count&name=Something else',
    );
  });

  const request = (q: Record<string, string>, raw = body) => ({ method: 'POST', path: '/apps/3/events', query: q, rawBody: raw });

  it('accepts the documented request within the time window', () => {
    expect(verifyPusherRequest(request({ ...query, auth_signature: signature }), key, secret, 1353088179 + 599)).toEqual({ ok: true });
  });

  it.each([
    ['a stale timestamp', { ...query, auth_signature: signature }, 1353088179 + 601, /Timestamp expired/],
    ['a wrong signature', { ...query, auth_signature: signature.replace('d', 'e') }, 1353088179, /Invalid signature/],
    ['another key', { ...query, auth_key: 'other', auth_signature: signature }, 1353088179, /auth_key/],
    ['a missing signature', { ...query }, 1353088179, /Missing/],
  ])('refuses %s', (_label, q, now, reason) => {
    const result = verifyPusherRequest(request(q), key, secret, now);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it('refuses a body that does not match body_md5, even when the signature is right', () => {
    const tampered = Buffer.from(body.toString().replace('project-3', 'project-4'));
    const result = verifyPusherRequest(request({ ...query, auth_signature: signature }, tampered), key, secret, 1353088179);
    expect(result).toEqual({ ok: false, reason: 'body_md5 does not match the request body' });
  });
});
