import { channelKind, channelNameError, eventNameError, isValidUserId, userChannelOwner } from './channel-name';

describe('channel names', () => {
  it.each(['conversation:conv-123', 'private-team.42', 'presence-room_1', 'user:alice', 'a=b@c,d;e', 'x'])('accepts %s', (name) => {
    expect(channelNameError(name, 164)).toBeNull();
  });

  it.each([
    ['', 'Channel required'],
    [undefined, 'Channel required'],
    [42, 'Channel required'],
    ['has space', /Invalid channel name/],
    ['slash/path', /Invalid channel name/],
    ['#server-to-user-1', /Invalid channel name/],
    ['new\nline', /Invalid channel name/],
    ['ünïcode', /Invalid channel name/],
    ['user:', /needs a user id/],
    ['private-', /prefix needs a name/],
    ['x'.repeat(165), 'Channel name exceeds 164 characters'],
  ])('refuses %j', (name, expected) => {
    const error = channelNameError(name, 164);
    if (typeof expected === 'string') expect(error).toBe(expected);
    else expect(error).toMatch(expected);
  });

  it('honours the configured length', () => {
    expect(channelNameError('abcdefghij', 9)).toMatch(/exceeds 9/);
    expect(channelNameError('abcdefghi', 9)).toBeNull();
  });

  it('tells the kinds apart', () => {
    expect(channelKind('presence-x')).toBe('presence');
    expect(channelKind('private-x')).toBe('private');
    expect(channelKind('private-encrypted-x')).toBe('private');
    expect(channelKind('user:42')).toBe('user');
    expect(channelKind('users:42')).toBe('public');
    expect(channelKind('news')).toBe('public');
    expect(userChannelOwner('user:a:b')).toBe('a:b');
  });
});

describe('event names', () => {
  it('accepts the seed event types', () => {
    for (const name of ['notification', 'chat_message', 'status_update', 'order.created', 'client-typing']) expect(eventNameError(name)).toBeNull();
  });

  it('refuses protocol types, internal prefixes and bad characters', () => {
    for (const name of ['error', 'subscribed', 'pong', 'member_added', 'broadcast']) expect(eventNameError(name)).toMatch(/reserved/);
    for (const name of ['rb:member_added', 'pusher:ping', 'pusher_internal:x']) expect(eventNameError(name)).toMatch(/reserved/);
    for (const name of ['', 'has space', 'x'.repeat(65), 'a\nb', 7]) expect(eventNameError(name)).toMatch(/1-64 characters/);
  });
});

describe('user ids', () => {
  it('are 1-128 characters without control characters', () => {
    expect(isValidUserId('user-456')).toBe(true);
    expect(isValidUserId('Ada Lovelace <ada@example.com>')).toBe(true);
    expect(isValidUserId('')).toBe(false);
    expect(isValidUserId('a\nb')).toBe(false);
    expect(isValidUserId('a'.repeat(129))).toBe(false);
    expect(isValidUserId(12)).toBe(false);
  });
});
