import { createHmac } from 'node:crypto';
import Pusher from 'pusher';
import { nativeSignature, pusherSignature, signedHeaders, verifyNativeSignature } from './webhook-signature';

const secret = '7ad3773142a6692b25b8';
const key = '278d425bdf160c739803';
const body = '{"time_ms":1327078148132,"events":[{"name":"channel_occupied","channel":"test_channel"}]}';

describe('webhook signatures', () => {
  it('signs Pusher bodies as the hex HMAC-SHA256 of the raw body, which the pusher SDK accepts', () => {
    expect(pusherSignature(secret, body)).toBe(createHmac('sha256', secret).update(body).digest('hex'));
    const headers = signedHeaders({ format: 'pusher', rawBody: body, tenantKey: key, secret, deliveryId: 'd-1', customHeaders: {} });
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(lower['content-type']).toBe('application/json');
    const pusher = new Pusher({ appId: '1', key, secret, cluster: 'mt1' });
    expect(pusher.webhook({ headers: lower, rawBody: body }).isValid()).toBe(true);
    expect(pusher.webhook({ headers: lower, rawBody: body.replace('test_channel', 'other') }).isValid()).toBe(false);
    expect(new Pusher({ appId: '1', key, secret: 'wrong', cluster: 'mt1' }).webhook({ headers: lower, rawBody: body }).isValid()).toBe(false);
  });

  it('signs native bodies over "<t>.<body>" and verifies within the tolerance only', () => {
    const t = 1_700_000_000;
    const header = nativeSignature(secret, body, t);
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`);
    expect(verifyNativeSignature(secret, body, header, 300, t + 10)).toBe(true);
    expect(verifyNativeSignature(secret, body, header, 300, t + 301)).toBe(false);
    expect(verifyNativeSignature(secret, `${body} `, header, 300, t)).toBe(false);
    expect(verifyNativeSignature('other', body, header, 300, t)).toBe(false);
    expect(verifyNativeSignature(secret, body, header.replace(`t=${t}`, `t=${t + 1}`), 300, t)).toBe(false);
    expect(verifyNativeSignature(secret, body, 'garbage', 300, t)).toBe(false);
  });

  it('puts the delivery id and timestamped signature on native requests; custom headers cannot override ours', () => {
    const headers = signedHeaders({
      format: 'native',
      rawBody: body,
      tenantKey: key,
      secret,
      deliveryId: 'd-2',
      customHeaders: { Authorization: 'Bearer x', 'x-relaybase-signature': 'forged', 'Content-Type': 'text/plain' },
      nowMs: 1_700_000_000_500,
    });
    expect(headers).toMatchObject({
      Authorization: 'Bearer x',
      'Content-Type': 'application/json',
      'X-Relaybase-Key': key,
      'X-Relaybase-Delivery': 'd-2',
      'X-Relaybase-Timestamp': '1700000000',
      'X-Relaybase-Signature': nativeSignature(secret, body, 1_700_000_000),
    });
    expect(Object.keys(headers).filter((h) => h.toLowerCase() === 'x-relaybase-signature')).toHaveLength(1);
    expect(Object.keys(headers).filter((h) => h.toLowerCase() === 'content-type')).toHaveLength(1);
  });
});
