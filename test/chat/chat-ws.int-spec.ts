import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { realtimeModes, subscribe } from '../realtime/support/realtime-fixtures';
import type { TestWsClient } from '../realtime/support/ws-client';
import { asUser, ChatTenant, connectUser, createChatTenant, join, nextMessage, sendMessage } from './support/chat-fixtures';
import { seed001Flows } from './support/seed-001-flows';

describe.each(realtimeModes(hasRedis()))('chat over the native WebSocket protocol, one instance, %s', (_mode, env) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ...env, CHAT_TYPING_THROTTLE_MS: '1000' });
  });
  afterAll(() => t.close());

  describe('seed 001', () => {
    seed001Flows(() => ({ a: t, b: t }));
  });

  describe('rooms, receipts, typing and presence', () => {
    let ct: ChatTenant;
    const clients: TestWsClient[] = [];
    const track = (c: TestWsClient) => (clients.push(c), c);
    beforeAll(async () => {
      ct = await createChatTenant(t.http);
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
    });

    it('delivers to every connection of every member, and to conversation:<room> as chat_message', async () => {
      const alice = track(await connectUser(t.baseUrl, ct, 'alice'));
      const aliceTablet = track(await connectUser(t.baseUrl, ct, 'alice'));
      const bobPhone = track(await connectUser(t.baseUrl, ct, 'bob'));
      const bobLaptop = track(await connectUser(t.baseUrl, ct, 'bob'));
      const watcher = track(await connectUser(t.baseUrl, ct, 'watcher'));
      await join(alice, 'team');
      await join(bobPhone, 'team');
      await subscribe(watcher, 'conversation:team');

      const sent = await sendMessage(alice, 'team', { text: 'hi', mentions: ['bob'] });
      for (const c of [bobPhone, bobLaptop, aliceTablet]) {
        expect((await nextMessage(c, 'team')).data).toMatchObject({ id: sent.id, sender: 'alice', payload: { text: 'hi', mentions: ['bob'] } });
      }
      expect(await watcher.next('chat_message')).toEqual({
        type: 'chat_message',
        channel: 'conversation:team',
        from: 'alice',
        data: expect.objectContaining({ conversation_id: 'team', sender_id: 'alice', content: { text: 'hi', mentions: ['bob'] }, message_id: sent.id }),
      });
      // A non-member gets nothing on their own connection.
      expect(await watcher.receivesNothing((f) => f.type === 'message')).toBe(true);
    });

    it('a retried send with the same clientMessageId returns the first message and delivers once', async () => {
      const alice = track(await connectUser(t.baseUrl, ct, 'alice'));
      const bob = track(await connectUser(t.baseUrl, ct, 'bob'));
      await join(alice, 'retry');
      await join(bob, 'retry');
      const first = await sendMessage(alice, 'retry', 'once', 'c-1');
      const again = await sendMessage(alice, 'retry', 'once (retried)', 'c-1');
      expect(again).toMatchObject({ id: first.id, clientMessageId: 'c-1', timestamp: first.timestamp, duplicate: true });
      await nextMessage(bob, 'retry');
      expect(await bob.receivesNothing((f) => f.type === 'message' && f.data.payload === 'once (retried)', 400)).toBe(true);
      expect(bob.frames.filter((f) => f.type === 'message')).toHaveLength(1);
      const history = await asUser(t.http, ct, 'bob').get('/api/rooms/retry/messages');
      expect(history.body.data.messages).toHaveLength(1);
      // Another sender may use the same clientMessageId.
      expect((await sendMessage(bob, 'retry', 'mine', 'c-1')).id).not.toBe(first.id);
    });

    it('stores delivered/read receipts, tells the sender, and moves the unread count', async () => {
      const alice = track(await connectUser(t.baseUrl, ct, 'alice'));
      const bob = track(await connectUser(t.baseUrl, ct, 'bob'));
      await join(alice, 'receipts');
      await join(bob, 'receipts');
      const m1 = await sendMessage(alice, 'receipts', 'one');
      const m2 = await sendMessage(alice, 'receipts', 'two');
      const bobRest = asUser(t.http, ct, 'bob');
      const unread = async () => (await bobRest.get('/api/rooms/receipts')).body.data.unreadCount;
      expect(await unread()).toBe(2);

      bob.send({ type: 'ack', room: 'receipts', messageId: m1.id, status: 'delivered' });
      expect(await alice.next('receipt')).toEqual({
        type: 'receipt',
        data: { room: 'receipts', roomId: expect.any(String), messageId: m1.id, userId: 'bob', status: 'delivered', timestamp: expect.any(String) },
      });
      expect(await unread()).toBe(2);
      bob.send({ type: 'ack', room: 'receipts', messageId: m1.id, status: 'read' });
      expect((await alice.next('receipt')).data).toMatchObject({ messageId: m1.id, status: 'read' });
      expect(await unread()).toBe(1);
      bob.send({ type: 'ack', room: 'receipts', messageId: m2.id, status: 'read' });
      await alice.next((f) => f.type === 'receipt' && f.data.messageId === m2.id);
      expect(await unread()).toBe(0);
      // Acknowledging an older message again moves nothing and tells nobody.
      bob.send({ type: 'ack', room: 'receipts', messageId: m1.id, status: 'read' });
      await new Promise((r) => setTimeout(r, 300));
      expect(alice.frames.filter((f) => f.type === 'receipt')).toHaveLength(3);
      expect(await unread()).toBe(0);

      const perMessage = await bobRest.get(`/api/rooms/receipts/messages/${m2.id}/receipts`);
      expect(perMessage.body.data).toEqual({ messageId: m2.id, deliveredTo: ['bob'], readBy: ['bob'] });

      expect(await bob.request({ type: 'ack', room: 'receipts', messageId: m1.id, status: 'seen' }, 'error')).toMatchObject({ message: 'status must be "delivered" or "read"' });
      expect(await bob.request({ type: 'ack', room: 'receipts', status: 'read' }, 'error')).toMatchObject({ message: 'messageId required' });
    });

    it('relays typing to the other connections in the room, throttled, and stores nothing', async () => {
      const alice = track(await connectUser(t.baseUrl, ct, 'alice'));
      const bob = track(await connectUser(t.baseUrl, ct, 'bob'));
      const outsider = track(await connectUser(t.baseUrl, ct, 'carol'));
      await join(alice, 'typing');
      await join(bob, 'typing');
      for (let i = 0; i < 5; i++) alice.send({ type: 'typing', room: 'typing', isTyping: true });
      expect(await bob.next('typing')).toMatchObject({ type: 'typing', from: 'alice', data: { room: 'typing', userId: 'alice', isTyping: true } });
      alice.send({ type: 'typing', room: 'typing', isTyping: false });
      expect((await bob.next('typing')).data).toMatchObject({ isTyping: false });
      expect(bob.frames.filter((f) => f.type === 'typing')).toHaveLength(2);
      expect(alice.frames.some((f) => f.type === 'typing')).toBe(false);
      expect(outsider.frames.some((f) => f.type === 'typing')).toBe(false);
      expect(await outsider.request({ type: 'typing', room: 'typing', isTyping: true }, 'error')).toMatchObject({ message: 'You must join the room first' });
      const history = await asUser(t.http, ct, 'bob').get('/api/rooms/typing/messages');
      expect(history.body.data.messages).toEqual([]);
    });

    it('keeps a user with two connections online until the last one closes', async () => {
      const observer = track(await connectUser(t.baseUrl, ct, 'observer'));
      await join(observer, 'lobby');
      const first = await connectUser(t.baseUrl, ct, 'dana', { user_info: { name: 'Dana' } });
      const second = await connectUser(t.baseUrl, ct, 'dana', { user_info: { name: 'Dana' } });
      await join(first, 'lobby');
      expect(await observer.next('member_added')).toMatchObject({ data: { userId: 'dana', userInfo: { name: 'Dana' } } });
      await join(second, 'lobby');
      const rest = asUser(t.http, ct, 'observer');
      const status = async () => (await rest.get('/api/rooms/lobby/presence')).body.data.members.find((m: { userId: string }) => m.userId === 'dana')?.status;
      expect(await status()).toBe('online');
      expect(await observer.request({ type: 'presence', room: 'lobby' }, 'presence')).toEqual({
        type: 'presence',
        room: 'lobby',
        members: expect.arrayContaining([{ userId: 'dana', userInfo: { name: 'Dana' } }, { userId: 'observer', userInfo: null }]),
      });

      await first.close();
      expect(await observer.receivesNothing((f) => f.type === 'member_removed', 400)).toBe(true);
      expect(await status()).toBe('online');
      await second.close();
      expect(await observer.next('member_removed')).toMatchObject({ data: { userId: 'dana' } });
      expect(await status()).toBe('offline');
    });

    it('a private room: joining needs membership; removal stops delivery at once', async () => {
      const owner = asUser(t.http, ct, 'owner');
      expect((await owner.post('/api/rooms', { name: 'secret', visibility: 'private', members: ['member'] })).status).toBe(201);
      const member = track(await connectUser(t.baseUrl, ct, 'member'));
      const stranger = track(await connectUser(t.baseUrl, ct, 'stranger'));
      expect(await stranger.request({ type: 'join', room: 'secret' }, 'error')).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/private/) });
      expect(await stranger.request({ type: 'message', room: 'secret', payload: 'let me in' }, 'error')).toMatchObject({ message: 'You must join the room first' });
      await join(member, 'secret');
      expect((await owner.post('/api/rooms/secret/messages', { payload: 'for members' })).status).toBe(201);
      expect((await nextMessage(member, 'secret')).data.payload).toBe('for members');
      expect((await owner.delete('/api/rooms/secret/members/member')).status).toBe(200);
      expect(await member.next('room_left')).toMatchObject({ data: { room: 'secret', removedBy: 'owner' } });
      await owner.post('/api/rooms/secret/messages', { payload: 'members only now' });
      expect(await member.receivesNothing((f) => f.type === 'message' && f.data.payload === 'members only now', 400)).toBe(true);
      expect(stranger.frames.some((f) => f.type === 'message')).toBe(false);
    });

    it('refuses chat on a connection that is not an end user', async () => {
      const { TestWsClient } = await import('../realtime/support/ws-client');
      const { wsUrl } = await import('../realtime/support/realtime-fixtures');
      const server = track(await TestWsClient.open(wsUrl(t.baseUrl, `/ws?token=${ct.key}`)));
      await server.next('connected');
      expect(await server.request({ type: 'join', room: 'general' }, 'error')).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/end-user/) });
    });
  });
});
