import { createHmac } from 'node:crypto';
import { signChannel, verifyChannelSignature } from './channel-signature';

describe('channel signatures', () => {
  const secret = '7ad3773142a6692b25b8';
  const key = '278d425bdf160c739803';

  it('matches the Pusher test vector for private channels', () => {
    // ../shared/protocol/pusher.md §4
    expect(signChannel(secret, '1234.1234', 'private-foobar')).toBe('58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4');
  });

  it('covers channel data for presence channels', () => {
    const data = '{"user_id":10,"user_info":{"name":"Mr. Channels"}}';
    const expected = '31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80'; // pusher.md §4
    expect(createHmac('sha256', secret).update(`1234.1234:presence-foobar:${data}`).digest('hex')).toBe(expected);
    expect(signChannel(secret, '1234.1234', 'presence-foobar', data)).toBe(expected);
    expect(verifyChannelSignature(secret, key, '1234.1234', 'presence-foobar', expected, data)).toBe(true);
    expect(verifyChannelSignature(secret, key, '1234.1234', 'presence-foobar', expected, data.replace('10', '11'))).toBe(false);
  });

  it('accepts <hex> and <key>:<hex>, and nothing else', () => {
    const sig = signChannel(secret, '1.2', 'private-x');
    expect(verifyChannelSignature(secret, key, '1.2', 'private-x', sig)).toBe(true);
    expect(verifyChannelSignature(secret, key, '1.2', 'private-x', `${key}:${sig}`)).toBe(true);
    expect(verifyChannelSignature(secret, key, '1.2', 'private-x', `otherkey:${sig}`)).toBe(false);
    expect(verifyChannelSignature(secret, key, '1.3', 'private-x', sig)).toBe(false);
    expect(verifyChannelSignature(secret, key, '1.2', 'private-y', sig)).toBe(false);
    expect(verifyChannelSignature('another-secret', key, '1.2', 'private-x', sig)).toBe(false);
    expect(verifyChannelSignature(secret, key, '1.2', 'private-x', '')).toBe(false);
  });
});
