import type { TestApp } from '../../support/test-app';
import type { TestWsClient } from '../../realtime/support/ws-client';
import { asEndUser, ChatTenant, connectUser, createChatTenant, join, nextMessage, sendMessage } from './chat-fixtures';

/**
 * Seed 001's three usage flows and its error texts, end to end with real clients. `apps()` gives
 * the instance the first client uses and the one the other party uses: the same app on one
 * instance, two apps sharing Redis for scale-out.
 */
export function seed001Flows(apps: () => { a: TestApp; b: TestApp }): void {
  let ct: ChatTenant;
  const clients: TestWsClient[] = [];
  const track = (c: TestWsClient) => (clients.push(c), c);

  beforeAll(async () => {
    ct = await createChatTenant(apps().a.http, { settings: { endUserPublishEnabled: true } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  it('flow 1: join, send, receive from other members, leave', async () => {
    const { a, b } = apps();
    const alice = track(await connectUser(a.baseUrl, ct, 'alice'));
    const bob = track(await connectUser(b.baseUrl, ct, 'bob'));
    expect(await alice.request({ type: 'join', room: 'general' }, 'joined')).toEqual({ type: 'joined', room: 'general' });
    await join(bob, 'general');

    const sent = await sendMessage(alice, 'general', 'Hello');
    expect(sent).toMatchObject({ type: 'sent', room: 'general', id: expect.any(String), timestamp: expect.any(String), duplicate: false });
    const received = await nextMessage(bob, 'general');
    expect(received).toEqual({
      type: 'message',
      data: {
        id: sent.id,
        room: 'general',
        roomId: expect.any(String),
        sender: 'alice',
        payload: 'Hello',
        clientMessageId: null,
        timestamp: sent.timestamp,
        editedAt: null,
        deletedAt: null,
      },
    });
    // The sending connection gets the ack, not its own message back.
    expect(await alice.receivesNothing((f) => f.type === 'message')).toBe(true);

    expect(await bob.request({ type: 'leave', room: 'general' }, 'left')).toEqual({ type: 'left', room: 'general' });
    await sendMessage(alice, 'general', 'Still there?');
    expect(await bob.receivesNothing((f) => f.type === 'message' && f.data.payload === 'Still there?', 500)).toBe(true);
    // Stored: the history has both.
    const history = await asEndUser(b.http, ct, 'alice').get('/api/rooms/general/messages');
    expect(history.body.data.messages.map((m: { payload: string }) => m.payload)).toEqual(['Hello', 'Still there?']);
  });

  it('flow 2: HTTP to WebSocket — POST /api/message with x-hash and a tenant JWT reaches a member', async () => {
    const { a, b } = apps();
    const clientA = track(await connectUser(a.baseUrl, ct, 'client-a'));
    await join(clientA, 'notifications');
    const res = await asEndUser(b.http, ct, 'client-b').post('/api/message', { room: 'notifications', payload: 'Hello' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true });
    expect((await nextMessage(clientA, 'notifications')).data).toMatchObject({ sender: 'client-b', payload: 'Hello' });
  });

  it('flow 3: broadcast over WebSocket and over HTTP reaches every connection of the tenant', async () => {
    const { a, b } = apps();
    const one = track(await connectUser(a.baseUrl, ct, 'one'));
    const two = track(await connectUser(b.baseUrl, ct, 'two'));
    const other = await createChatTenant(a.http, { settings: { endUserPublishEnabled: true } });
    const outsider = track(await connectUser(b.baseUrl, other, 'one'));

    one.send({ type: 'broadcast', payload: 'Alert' });
    for (const c of [one, two]) expect(await c.next('broadcast')).toMatchObject({ type: 'broadcast', payload: 'Alert', from: 'one' });

    const res = await asEndUser(b.http, ct, 'two').post('/api/broadcast', { room: 'chat-room-1', payload: 'System message' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true });
    for (const c of [one, two]) expect(await c.next((f) => f.type === 'broadcast' && f.payload === 'System message')).toMatchObject({ from: 'two' });
    expect(await outsider.receivesNothing((f) => f.type === 'broadcast')).toBe(true);
  });

  it('answers every seed 001 error text and keeps the connection', async () => {
    const { a } = apps();
    const c = track(await connectUser(a.baseUrl, ct, 'erratic'));
    const error = (message: string, code = 'invalid_request') => ({ type: 'error', code, message });
    c.send('{not json');
    expect(await c.next('error')).toEqual(error('Invalid JSON'));
    expect(await c.request({ type: 'join' }, 'error')).toEqual(error('Room required'));
    expect(await c.request({ type: 'leave', room: '' }, 'error')).toEqual(error('Room required'));
    expect(await c.request({ type: 'message', payload: 'x' }, 'error')).toEqual(error('Room required'));
    expect(await c.request({ type: 'message', room: 'general' }, 'error')).toEqual(error('Payload required'));
    expect(await c.request({ type: 'message', room: 'general', payload: '' }, 'error')).toEqual(error('Payload required'));
    expect(await c.request({ type: 'message', room: 'never-joined', payload: 'x' }, 'error')).toEqual(error('You must join the room first', 'unauthorized'));
    expect(await c.request({ type: 'broadcast' }, 'error')).toEqual(error('Payload required'));
    expect(await c.request({ type: 'dance' }, 'error')).toEqual(error('Unknown message type'));
    expect(await c.request({ type: 'join', room: 'fine' }, 'joined')).toEqual({ type: 'joined', room: 'fine' });
  });
}
