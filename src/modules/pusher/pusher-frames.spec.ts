import { pusherFrames } from './pusher-frames';

describe('pusherFrames', () => {
  it('builds connection_established by hand exactly as JSON.stringify would', () => {
    const text = pusherFrames.connectionEstablished('123456.789', 120);
    expect(text).toBe(JSON.stringify({ event: 'pusher:connection_established', data: JSON.stringify({ socket_id: '123456.789', activity_timeout: 120 }) }));
    expect(JSON.parse(JSON.parse(text).data)).toEqual({ socket_id: '123456.789', activity_timeout: 120 });
  });

  it('builds subscription_succeeded without members by hand, escaping the channel name', () => {
    for (const channel of ['news', 'private-a"b\\c', 'cache-ü']) {
      expect(pusherFrames.subscriptionSucceeded(channel, null)).toBe(JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel, data: '{}' }));
    }
  });
});
