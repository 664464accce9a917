import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import type { TestWsClient } from '../realtime/support/ws-client';
import { asUser, ChatTenant, connectUser, createChatTenant, join, nextMessage, sendMessage } from './support/chat-fixtures';
import { seed001Flows } from './support/seed-001-flows';

// Two instances need Redis to share; CI always has it.
(hasRedis() ? describe : describe.skip)('chat on two instances sharing Redis', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    [a, b] = await Promise.all([startTestApp(), startTestApp()]);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  describe('seed 001 across instances', () => {
    seed001Flows(() => ({ a, b }));
  });

  describe('receipts, typing, presence, notifications and the rate limit across instances', () => {
    let ct: ChatTenant;
    const clients: TestWsClient[] = [];
    const track = (c: TestWsClient) => (clients.push(c), c);
    beforeAll(async () => {
      ct = await createChatTenant(a.http);
    });
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
    });

    it('delivers to every connection of a member on both instances, with receipts back to the sender', async () => {
      const alice = track(await connectUser(a.baseUrl, ct, 'alice'));
      const bobOnA = track(await connectUser(a.baseUrl, ct, 'bob'));
      const bobOnB = track(await connectUser(b.baseUrl, ct, 'bob'));
      await join(alice, 'x-room');
      await join(bobOnB, 'x-room');
      const sent = await sendMessage(alice, 'x-room', 'across');
      for (const c of [bobOnA, bobOnB]) expect((await nextMessage(c, 'x-room')).data.id).toBe(sent.id);
      bobOnB.send({ type: 'ack', room: 'x-room', messageId: sent.id, status: 'read' });
      expect((await alice.next('receipt')).data).toMatchObject({ messageId: sent.id, userId: 'bob', status: 'read' });
    });

    it('takes a removed member out of the room on every instance: offline, and no more typing or member events', async () => {
      const owner = track(await connectUser(a.baseUrl, ct, 'olga'));
      await join(owner, 'x-evict');
      expect((await asUser(a.http, ct, 'olga').post('/api/rooms/x-evict/members', { userId: 'pete' })).status).toBe(201);
      const peteOnA = track(await connectUser(a.baseUrl, ct, 'pete'));
      const peteOnB = track(await connectUser(b.baseUrl, ct, 'pete'));
      await join(peteOnA, 'x-evict');
      await join(peteOnB, 'x-evict');
      const status = async () =>
        (await asUser(b.http, ct, 'olga').get('/api/rooms/x-evict/presence')).body.data.members.find((m: { userId: string }) => m.userId === 'pete')?.status;
      expect(await status()).toBe('online');
      expect((await asUser(a.http, ct, 'olga').delete('/api/rooms/x-evict/members/pete')).status).toBe(200);
      const deadline = Date.now() + 5_000;
      while ((await status()) === 'online' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await status()).not.toBe('online');
      owner.send({ type: 'typing', room: 'x-evict', isTyping: true });
      expect(await peteOnB.receivesNothing((f) => f.type === 'typing')).toBe(true);
      expect(await peteOnA.receivesNothing((f) => f.type === 'typing')).toBe(true);
    });

    it('relays typing across instances', async () => {
      const alice = track(await connectUser(a.baseUrl, ct, 'alice'));
      const bob = track(await connectUser(b.baseUrl, ct, 'bob'));
      await join(alice, 'x-typing');
      await join(bob, 'x-typing');
      alice.send({ type: 'typing', room: 'x-typing', isTyping: true });
      expect((await bob.next('typing')).data).toEqual({ room: 'x-typing', userId: 'alice', isTyping: true });
    });

    it('keeps a user online while one connection on either instance remains', async () => {
      const observer = track(await connectUser(a.baseUrl, ct, 'observer'));
      await join(observer, 'x-lobby');
      const onA = await connectUser(a.baseUrl, ct, 'erin');
      const onB = await connectUser(b.baseUrl, ct, 'erin');
      await join(onA, 'x-lobby');
      await join(onB, 'x-lobby');
      const status = async (app: TestApp) =>
        (await asUser(app.http, ct, 'observer').get('/api/rooms/x-lobby/presence')).body.data.members.find((m: { userId: string }) => m.userId === 'erin')?.status;
      expect([await status(a), await status(b)]).toEqual(['online', 'online']);
      await onA.close();
      expect(await observer.receivesNothing((f) => f.type === 'member_removed', 500)).toBe(true);
      expect(await status(b)).toBe('online');
      await onB.close();
      expect(await observer.next('member_removed')).toMatchObject({ data: { userId: 'erin' } });
      expect(await status(a)).toBe('offline');
    });

    it('pushes a notification sent to one instance to the user on the other', async () => {
      const user = track(await connectUser(b.baseUrl, ct, 'n-user'));
      await a.http.post('/api/notifications', { userIds: ['n-user'], type: 'alert', data: { level: 'warn' } }, { apiKey: ct.key });
      expect((await user.next('notification')).data).toMatchObject({ type: 'alert', data: { level: 'warn' } });
    });

    it('counts the per-tenant rate limit across instances', async () => {
      const limited = await createChatTenant(a.http, { limits: { apiRequestsPerSecond: 4 } });
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
      const results = await Promise.all([a, b, a, b, a, b].map((app) => asUser(app.http, limited, 'u').get('/api/rooms')));
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 429, 429]);
    });
  });
});
