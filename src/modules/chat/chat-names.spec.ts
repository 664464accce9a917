import { conversationChannel, isUuid, roomNameError, roomOfPresenceChannel, roomPresenceChannel } from './chat-names';
import { channelNameError } from '../../realtime/access/channel-name';

describe('chat names', () => {
  it('requires a room name and keeps it to the channel alphabet', () => {
    expect(roomNameError(undefined)).toBe('Room required');
    expect(roomNameError('')).toBe('Room required');
    expect(roomNameError(42)).toBe('Room required');
    expect(roomNameError('general')).toBeNull();
    expect(roomNameError('team-42:design.v2')).toBeNull();
    expect(roomNameError('has space')).toMatch(/^Invalid room name/);
    expect(roomNameError('a#b')).toMatch(/^Invalid room name/);
    expect(roomNameError('x'.repeat(101))).toMatch(/^Invalid room name/);
  });

  it('puts rooms on a presence channel no client can subscribe to, and back', () => {
    const channel = roomPresenceChannel('general');
    expect(channel.startsWith('presence-')).toBe(true);
    expect(channelNameError(channel, 164)).not.toBeNull();
    expect(roomOfPresenceChannel(channel)).toBe('general');
    expect(roomOfPresenceChannel('presence-general')).toBeNull();
  });

  it('names the seed 004 conversation channel, private for private rooms', () => {
    expect(conversationChannel('general', 'public')).toBe('conversation:general');
    expect(conversationChannel('secret', 'private')).toBe('private-conversation:secret');
    expect(channelNameError(conversationChannel('x'.repeat(100), 'private'), 164)).toBeNull();
  });

  it('tells uuids from names', () => {
    expect(isUuid('7f1c2a4e-5b6d-4e8f-9a0b-1c2d3e4f5a6b')).toBe(true);
    expect(isUuid('general')).toBe(false);
  });
});
