import { createHmac } from 'node:crypto';
import { startTestApp, TestApp } from '../support/test-app';
import { createRealtimeTenant, RealtimeTenant, wsUrl } from '../realtime/support/realtime-fixtures';
import { Frame, TestWsClient } from '../realtime/support/ws-client';

/**
 * The Pusher connect path answers without awaiting when it can (cached tenant, in-process state),
 * and queues frames behind one that must wait: either way the replies keep the order of the frames.
 */
describe('Pusher WebSocket: handshake and pipelined frames', () => {
  let t: TestApp;
  let rt: RealtimeTenant;
  const clients: TestWsClient[] = [];
  const open = async (tenant = rt) => {
    const c = await TestWsClient.open(wsUrl(t.baseUrl, `/app/${tenant.tenant.key}?protocol=7`));
    clients.push(c);
    return c;
  };
  const isEvent = (name: string) => (f: Frame) => f.event === name;
  const sign = (socketId: string, channel: string, channelData?: string) =>
    `${rt.tenant.key}:${createHmac('sha256', rt.tenant.secret).update(channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`).digest('hex')}`;

  beforeAll(async () => {
    t = await startTestApp();
    rt = await createRealtimeTenant(t.http, { settings: { clientEventsEnabled: true } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => t.close());

  it('connection_established carries the socket id and activity timeout as a JSON string', async () => {
    const c = await open();
    const established = await c.next(isEvent('pusher:connection_established'));
    expect(typeof established.data).toBe('string');
    expect(JSON.parse(established.data)).toEqual({ socket_id: expect.stringMatching(/^\d+\.\d+$/), activity_timeout: 120 });
    // The same tenant again: served from the tenant cache, same answer.
    const again = await open();
    const second = JSON.parse((await again.next(isEvent('pusher:connection_established'))).data);
    expect(second.socket_id).not.toBe(JSON.parse(established.data).socket_id);
  });

  it('frames sent back to back are answered in order, the unknown one with an error after the subscribes', async () => {
    const c = await open();
    await c.next(isEvent('pusher:connection_established'));
    c.send({ event: 'pusher:subscribe', data: { channel: 'one' } });
    c.send({ event: 'pusher:subscribe', data: { channel: 'two' } });
    c.send({ event: 'pusher:ping', data: {} });
    c.send({ event: 'nonsense', data: {} });
    await c.next(isEvent('pusher:error'));
    const replies = c.frames.slice(1).map((f) => `${f.event}${f.channel ? ':' + f.channel : ''}`);
    expect(replies).toEqual(['pusher_internal:subscription_succeeded:one', 'pusher_internal:subscription_succeeded:two', 'pusher:pong', 'pusher:error']);
    expect(c.frames[1]).toEqual({ event: 'pusher_internal:subscription_succeeded', channel: 'one', data: '{}' });
  });

  it('a client event right behind a presence subscribe (which waits) sees the subscription', async () => {
    const observer = await open();
    const observerId = JSON.parse((await observer.next(isEvent('pusher:connection_established'))).data).socket_id;
    const observerData = JSON.stringify({ user_id: 'observer' });
    observer.send({ event: 'pusher:subscribe', data: { channel: 'presence-room', auth: sign(observerId, 'presence-room', observerData), channel_data: observerData } });
    await observer.next(isEvent('pusher_internal:subscription_succeeded'));

    const c = await open();
    const socketId = JSON.parse((await c.next(isEvent('pusher:connection_established'))).data).socket_id;
    const channelData = JSON.stringify({ user_id: 'speaker' });
    c.send({ event: 'pusher:subscribe', data: { channel: 'presence-room', auth: sign(socketId, 'presence-room', channelData), channel_data: channelData } });
    c.send({ event: 'client-hello', channel: 'presence-room', data: { n: 1 } });
    c.send({ event: 'pusher:ping', data: {} });
    expect(await observer.next(isEvent('client-hello'))).toEqual({ event: 'client-hello', channel: 'presence-room', data: { n: 1 }, user_id: 'speaker' });
    await c.next(isEvent('pusher:pong'));
    expect(c.frames.slice(1).map((f) => f.event)).toEqual(['pusher_internal:subscription_succeeded', 'pusher:pong']);
  });

  it('an unknown key and a missing protocol are refused with their codes', async () => {
    const unknown = new TestWsClient(new (await import('ws')).default(wsUrl(t.baseUrl, '/app/no-such-key?protocol=7')));
    clients.push(unknown);
    expect((await unknown.next(isEvent('pusher:error'))).data).toMatchObject({ code: 4001 });
    expect((await unknown.closed).code).toBe(4001);
    const noProtocol = new TestWsClient(new (await import('ws')).default(wsUrl(t.baseUrl, `/app/${rt.tenant.key}`)));
    clients.push(noProtocol);
    expect((await noProtocol.closed).code).toBe(4008);
  });
});
