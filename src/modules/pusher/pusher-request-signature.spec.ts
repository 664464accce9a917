import { createHmac } from 'node:crypto';
import { md5Hex, pusherStringToSign, signPusherRequest, verifyCanonicalPusherRequest, verifyPusherRequest } from './pusher-request-signature';

// The test vector of the protocol reference (§6), from Pusher's documentation.
const key = '278d425bdf160c739803';
const secret = '7ad3773142a6692b25b8';
const body = Buffer.from('{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}');
const query = { auth_key: key, auth_timestamp: '1353088179', auth_version: '1.0', body_md5: 'ec365a775a4cd0599faeb73354201b6f' };
const signature = 'da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c';
/** Secrets on each side of the HMAC key block's size. */
const SECRETS: Array<[string, string]> = [
  ['a one-byte secret', 's'],
  ['a secret of one block', 'k'.repeat(64)],
  ['a secret longer than a block (hashed first)', 'k'.repeat(65)],
  ['a secret of multi-byte characters', 'é€'.repeat(40)],
];

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

  it.each(SECRETS)('checks signatures as HMAC-SHA256 with %s, for short and long strings to sign', (_label, anySecret) => {
    for (const value of ['x', 'ü'.repeat(2100), 'a'.repeat(4030), 'a'.repeat(5000), '€'.repeat(1400)]) {
      const q = { ...query, name: value };
      const text = pusherStringToSign('POST', '/apps/3/events', q);
      const good = createHmac('sha256', anySecret).update(text).digest('hex');
      expect(verifyPusherRequest(request({ ...q, auth_signature: good }), key, anySecret, 1353088179)).toEqual({ ok: true });
      expect(verifyPusherRequest(request({ ...q, auth_signature: good.toUpperCase() }), key, anySecret, 1353088179)).toEqual({ ok: true });
      expect(verifyPusherRequest(request({ ...q, auth_signature: good.slice(0, 62) + 'zz' }), key, anySecret, 1353088179).ok).toBe(false);
      expect(verifyPusherRequest(request({ ...q, auth_signature: good.slice(0, 63) }), key, anySecret, 1353088179).ok).toBe(false);
    }
  });
});

describe('Pusher request signing, the one-pass path for the SDKs\' spelling', () => {
  const target = (q: string) => `/apps/3/events?${q}`;
  const documented = `auth_key=${key}&auth_timestamp=1353088179&auth_version=1.0&body_md5=${query.body_md5}`;
  const verify = (t: string, now = 1353088179, raw = body) => verifyCanonicalPusherRequest('POST', t, raw, key, secret, now);

  it('accepts the documented request, signature last', () => {
    expect(verify(target(`${documented}&auth_signature=${signature}`))).toBe(true);
    expect(verify(target(`${documented}&auth_signature=${signature.toUpperCase()}`))).toBe(true);
  });

  it.each([
    ['a stale timestamp', `${documented}&auth_signature=${signature}`, 1353088179 + 601],
    ['a wrong signature', `${documented}&auth_signature=${signature.replace('d', 'e')}`, 1353088179],
    ['a signature that is not hex', `${documented}&auth_signature=${signature.slice(0, 62)}zz`, 1353088179],
    ['another key', `${documented.replace(key, 'other')}&auth_signature=${signature}`, 1353088179],
    ['another auth_version', `${documented.replace('1.0', '2.0')}&auth_signature=${signature}`, 1353088179],
    ['no signature', documented, 1353088179],
  ])('refuses %s', (_label, q, now) => {
    expect(verify(target(q), now)).toBe(false);
    expect(verifyPusherRequest({ method: 'POST', path: '/apps/3/events', query: Object.fromEntries(new URLSearchParams(q)), rawBody: body }, key, secret, now).ok).toBe(false);
  });

  it('refuses a body that does not match body_md5', () => {
    expect(verify(target(`${documented}&auth_signature=${signature}`), 1353088179, Buffer.from('{}'))).toBe(false);
  });

  it('accepts other parameters in ascending order among the four it reads, as signed', () => {
    const q = `auth_key=${key}&auth_nonce=7&auth_timestamp=1353088179&auth_version=1.0&auth_zz=x&body_md5=${query.body_md5}&zeta=1`;
    const good = createHmac('sha256', secret).update(`POST\n/apps/3/events\n${q}`).digest('hex');
    expect(verify(target(`${q}&auth_signature=${good}`))).toBe(true);
    expect(verify(target(`${q}&auth_signature=${signature}`))).toBe(false);
    // A name that only starts like one of the four is another parameter: body_md5x does not stand for body_md5.
    const lookalike = `auth_key=${key}&auth_timestamp=1353088179&auth_version=1.0&body_md5x=${query.body_md5}`;
    const signedLookalike = createHmac('sha256', secret).update(`POST\n/apps/3/events\n${lookalike}`).digest('hex');
    expect(verify(target(`${lookalike}&auth_signature=${signedLookalike}`))).toBe(false);
  });

  it('signs the method upper-cased, as the general path does', () => {
    expect(verifyCanonicalPusherRequest('post', target(`${documented}&auth_signature=${signature}`), body, key, secret, 1353088179)).toBe(true);
  });

  it.each(SECRETS)('checks signatures as HMAC-SHA256 with %s, for short targets and targets longer than the scratch space', (_label, anySecret) => {
    for (const value of ['x', 'a'.repeat(4000), 'a'.repeat(4100), 'a'.repeat(5000)]) {
      const q = `${documented}&name=${value}`;
      const good = createHmac('sha256', anySecret).update(`POST\n/apps/3/events\n${q}`).digest('hex');
      const check = (sig: string) => verifyCanonicalPusherRequest('POST', target(`${q}&auth_signature=${sig}`), body, key, anySecret, 1353088179);
      expect(check(good)).toBe(true);
      expect(check(good.toUpperCase())).toBe(true);
      expect(check(good.slice(0, 62) + 'zz')).toBe(false);
      expect(check(good.slice(0, 63))).toBe(false);
      expect(check(good + '0')).toBe(false);
      expect(check('')).toBe(false);
    }
  });

  // Valid requests in another spelling: the general path (verifyPusherRequest) decides them.
  it.each([
    ['parameters out of order', `auth_timestamp=1353088179&auth_key=${key}&auth_version=1.0&body_md5=${query.body_md5}&auth_signature=${signature}`],
    ['the signature first', `auth_signature=${signature}&${documented}`],
    ['an upper-case name', `${documented.replace('auth_key', 'AUTH_KEY')}&auth_signature=${signature}`],
    ['an escaped value', `${documented.replace('1.0', '1%2E0')}&auth_signature=${signature}`],
    ['a name without a value', `${documented}&flag&auth_signature=${signature}`],
    ['a key given twice', `auth_key=${key}&${documented}&auth_signature=${signature}`],
    ['a lower-case name after the signature is expected', `${documented}&auth_signature=${signature}&zzz=1`],
    ['a signature given twice', `auth_key=${key}&auth_signature=${signature}&auth_timestamp=1353088179&auth_version=1.0&body_md5=${query.body_md5}&auth_signature=${signature}`],
  ])('leaves %s to the general path', (_label, q) => {
    expect(verify(target(q))).toBe(false);
  });
});

