import { DomainError } from '../../common/domain-error';
import { authorizePublish, authorizeSubscription, SubscriptionRequest } from './channel-access';
import { signChannel } from './channel-signature';
import type { RealtimeIdentity } from './realtime-identity';

const tenant = { key: 'tenantkey', secret: 'tenant-secret' };
const endUser = (userId: string, channelGlobs: string[] = [], userInfo: unknown = null): RealtimeIdentity => ({
  kind: 'endUser', userId, accountId: null, scopes: null, channelGlobs, userInfo,
});
const apiKey = (scopes: string[]): RealtimeIdentity => ({ kind: 'apiKey', userId: null, accountId: 'acc', scopes, channelGlobs: [], userInfo: null });
const request = (identity: RealtimeIdentity, channel: string, proof: SubscriptionRequest['proof'] = {}): SubscriptionRequest => ({
  identity, tenant, socketId: '11.22', channel, proof,
});
const code = (fn: () => unknown) => {
  try {
    fn();
    return 'allowed';
  } catch (e) {
    return (e as DomainError).code;
  }
};

describe('authorizeSubscription', () => {
  it('public channels: any tenant connection; API keys need websocket:subscribe', () => {
    expect(authorizeSubscription(request(endUser('u'), 'news'))).toBeNull();
    expect(code(() => authorizeSubscription(request(apiKey(['websocket:subscribe']), 'news')))).toBe('allowed');
    expect(code(() => authorizeSubscription(request(apiKey(['websocket:*']), 'news')))).toBe('allowed');
    expect(code(() => authorizeSubscription(request(apiKey(['events:trigger']), 'news')))).toBe('AUTHORIZATION_ERROR');
  });

  it('user:<id> only for that end user', () => {
    expect(code(() => authorizeSubscription(request(endUser('alice'), 'user:alice')))).toBe('allowed');
    expect(code(() => authorizeSubscription(request(endUser('alice'), 'user:bob')))).toBe('AUTHORIZATION_ERROR');
    expect(code(() => authorizeSubscription(request(apiKey(['*']), 'user:alice')))).toBe('AUTHORIZATION_ERROR');
  });

  it('private channels need a signature over socketId:channel or a matching channels claim', () => {
    const auth = signChannel(tenant.secret, '11.22', 'private-x');
    expect(code(() => authorizeSubscription(request(endUser('u'), 'private-x')))).toBe('AUTHORIZATION_ERROR');
    expect(code(() => authorizeSubscription(request(endUser('u'), 'private-x', { auth })))).toBe('allowed');
    expect(code(() => authorizeSubscription(request(endUser('u'), 'private-y', { auth })))).toBe('AUTHORIZATION_ERROR');
    expect(code(() => authorizeSubscription(request(endUser('u', ['private-*']), 'private-x')))).toBe('allowed');
    expect(code(() => authorizeSubscription(request(endUser('u', ['private-a*']), 'private-x')))).toBe('AUTHORIZATION_ERROR');
    expect(code(() => authorizeSubscription(request(apiKey(['websocket:subscribe']), 'private-x', { auth })))).toBe('allowed');
  });

  it('presence channels register the end user, with info from signed channel data or the token', () => {
    expect(authorizeSubscription(request(endUser('u', ['presence-*'], { name: 'U' }), 'presence-r'))).toEqual({ userId: 'u', userInfo: { name: 'U' } });
    const channelData = JSON.stringify({ user_id: 'u', user_info: { name: 'Signed' } });
    const auth = signChannel(tenant.secret, '11.22', 'presence-r', channelData);
    expect(authorizeSubscription(request(endUser('u'), 'presence-r', { auth, channelData }))).toEqual({ userId: 'u', userInfo: { name: 'Signed' } });
    // The signature covers the channel data: other data, other signature.
    expect(code(() => authorizeSubscription(request(endUser('u'), 'presence-r', { auth, channelData: channelData.replace('Signed', 'Forged') })))).toBe('AUTHORIZATION_ERROR');
  });

  it('presence: channel data cannot claim another user; keys need a user_id in signed data', () => {
    const other = JSON.stringify({ user_id: 'mallory' });
    expect(code(() => authorizeSubscription(request(endUser('u'), 'presence-r', { auth: signChannel(tenant.secret, '11.22', 'presence-r', other), channelData: other })))).toBe('AUTHORIZATION_ERROR');
    const key = apiKey(['websocket:subscribe']);
    expect(code(() => authorizeSubscription(request(key, 'presence-r', { auth: signChannel(tenant.secret, '11.22', 'presence-r') })))).toBe('AUTHORIZATION_ERROR');
    const data = JSON.stringify({ user_id: 7, user_info: null });
    expect(authorizeSubscription(request(key, 'presence-r', { auth: signChannel(tenant.secret, '11.22', 'presence-r', data), channelData: data }))).toEqual({ userId: '7', userInfo: null });
  });

  it('presence: user info over 1 KB is refused', () => {
    expect(code(() => authorizeSubscription(request(endUser('u', ['presence-*'], { bio: 'x'.repeat(1100) }), 'presence-r')))).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('authorizePublish', () => {
  it('keys and accounts pass (their scopes are checked before); end users only when the tenant allows it', () => {
    expect(code(() => authorizePublish(apiKey(['events:trigger']), false, 'private-x'))).toBe('allowed');
    expect(code(() => authorizePublish(endUser('u'), false, 'news'))).toBe('AUTHORIZATION_ERROR');
    expect(code(() => authorizePublish(endUser('u'), true, 'news'))).toBe('allowed');
    expect(code(() => authorizePublish(endUser('u'), true, null))).toBe('allowed');
  });

  it('end users: own user channel only, private/presence only with a matching claim', () => {
    expect(code(() => authorizePublish(endUser('u'), true, 'user:u'))).toBe('allowed');
    expect(code(() => authorizePublish(endUser('u'), true, 'user:v'))).toBe('AUTHORIZATION_ERROR');
    expect(code(() => authorizePublish(endUser('u'), true, 'private-x'))).toBe('AUTHORIZATION_ERROR');
    expect(code(() => authorizePublish(endUser('u', ['private-*']), true, 'private-x'))).toBe('allowed');
  });
});
