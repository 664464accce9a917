import { busMessageOrigin, BusMessage, decodeBusMessage, encodeBusMessage } from './bus-message';

describe('bus messages', () => {
  const message: BusMessage = {
    origin: 'host:12:ab12',
    kind: 'channel',
    tenantId: '0b6f5a3e-5c1e-4f39-9f7e-3d1f2b7c9a10',
    channel: 'presence-room:1',
    event: { name: 'chat_message', dataJson: '{"text":"a\\nb","n":[1,2]}', excludeSocketId: '12.34', userId: 'alice', publishedAt: 1_700_000_000_123 },
  };

  it('round-trips without touching the data text', () => {
    const encoded = encodeBusMessage(message);
    expect(decodeBusMessage(encoded)).toEqual(message);
    expect(busMessageOrigin(encoded)).toBe('host:12:ab12');
  });

  it('carries broadcasts with empty optional fields', () => {
    const broadcast: BusMessage = { ...message, kind: 'broadcast', channel: '', event: { ...message.event, excludeSocketId: '', userId: '' } };
    expect(decodeBusMessage(encodeBusMessage(broadcast))).toEqual(broadcast);
  });

  it('rejects malformed payloads', () => {
    expect(decodeBusMessage('garbage')).toBeNull();
    expect(decodeBusMessage('a\nz\nt\nc\nn\nx\nu\n1\n{}')).toBeNull();
  });
});
