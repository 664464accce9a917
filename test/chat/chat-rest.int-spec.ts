import { DataSource } from 'typeorm';
import { createApiKey } from '../factories/account.factory';
import { startTestApp, TestApp } from '../support/test-app';
import { endUserToken } from '../realtime/support/realtime-fixtures';
import type { TestWsClient } from '../realtime/support/ws-client';
import { asEndUser, asUser, ChatTenant, connectUser, createChatTenant } from './support/chat-fixtures';

describe('chat REST API', () => {
  let t: TestApp;
  let ct: ChatTenant;
  const clients: TestWsClient[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    // The tests share this tenant and send well over 100 requests in a second on a fast run: the
    // plan's 100/s would answer some of them 429. Rate limiting has its own test and tenant below.
    ct = await createChatTenant(t.http, { limits: { apiRequestsPerSecond: 1_000_000 } });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => t.close());

  describe('rooms and members', () => {
    it('creates, gets (by id or name), lists, updates and deletes a room', async () => {
      const owner = asUser(t.http, ct, 'owner-1');
      const created = await owner.post('/api/rooms', { name: 'design', visibility: 'public', metadata: { title: 'Design' }, members: ['m-1'] });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        success: true,
        data: {
          id: expect.any(String),
          name: 'design',
          visibility: 'public',
          metadata: { title: 'Design' },
          createdBy: 'owner-1',
          role: 'owner',
          unreadCount: 0,
          memberCount: 2,
          lastMessageAt: null,
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      });
      const id = created.body.data.id;
      expect((await owner.post('/api/rooms', { name: 'design' })).body.error).toMatchObject({ code: 'CONFLICT' });
      expect((await owner.get(`/api/rooms/${id}`)).body.data.name).toBe('design');
      expect((await owner.get('/api/rooms/design')).body.data.id).toBe(id);
      expect((await owner.get('/api/rooms/no-such-room')).status).toBe(404);

      const patched = await owner.patch(`/api/rooms/${id}`, { metadata: { title: 'Design team' }, visibility: 'private' });
      expect(patched.body.data).toMatchObject({ metadata: { title: 'Design team' }, visibility: 'private', name: 'design' });
      expect((await owner.patch(`/api/rooms/${id}`, { name: 'renamed' })).status).toBe(400);
      expect((await asUser(t.http, ct, 'm-1').patch(`/api/rooms/${id}`, { metadata: {} })).status).toBe(403);
      expect((await asUser(t.http, ct, 'm-1').delete(`/api/rooms/${id}`)).status).toBe(403);

      const memberWs = await connectUser(t.baseUrl, ct, 'm-1');
      clients.push(memberWs);
      expect((await owner.delete(`/api/rooms/${id}`)).body).toEqual({ success: true, data: { deleted: true } });
      expect(await memberWs.next('room_deleted')).toEqual({ type: 'room_deleted', data: { room: 'design', roomId: id } });
      expect((await owner.get(`/api/rooms/${id}`)).status).toBe(404);
    });

    it('validates input', async () => {
      const u = asUser(t.http, ct, 'v');
      expect((await u.post('/api/rooms', { name: 'has space' })).body.error).toMatchObject({ code: 'VALIDATION_ERROR' });
      expect((await u.post('/api/rooms', { name: 'ok', visibility: 'secret' })).status).toBe(400);
      expect((await u.post('/api/rooms', { name: 'ok', extra: 1 })).status).toBe(400);
      expect((await u.get('/api/rooms?limit=101')).status).toBe(400);
      expect((await t.http.get('/api/rooms', { apiKey: ct.key })).body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringMatching(/X-User-Id/) });
    });

    it("lists the user's rooms and public ones, by name, paginated, with unread counts", async () => {
      const tenant = await createChatTenant(t.http);
      const alice = asUser(t.http, tenant, 'alice');
      const bob = asUser(t.http, tenant, 'bob');
      await alice.post('/api/rooms', { name: 'a-public' });
      await alice.post('/api/rooms', { name: 'b-private', visibility: 'private', members: ['bob'] });
      await alice.post('/api/rooms', { name: 'c-private', visibility: 'private' });
      await alice.post('/api/rooms', { name: 'd-public' });
      await bob.post('/api/rooms/d-public/join');
      await alice.post('/api/rooms/b-private/messages', { payload: 'one' });
      await alice.post('/api/rooms/b-private/messages', { payload: 'two' });
      await alice.post('/api/rooms/d-public/messages', { payload: 'three' });
      await bob.post('/api/rooms/d-public/messages', { payload: 'own messages are never unread' });

      const list = (await bob.get('/api/rooms')).body.data;
      expect(list.map((r: { name: string; role: string | null; unreadCount: number | null }) => [r.name, r.role, r.unreadCount])).toEqual([
        ['a-public', null, null],
        ['b-private', 'member', 2],
        ['d-public', 'member', 1],
      ]);
      expect((await bob.get('/api/rooms?joined=true')).body.data.map((r: { name: string }) => r.name)).toEqual(['b-private', 'd-public']);
      const page1 = (await bob.get('/api/rooms?limit=2')).body.data.map((r: { name: string }) => r.name);
      const page2 = (await bob.get(`/api/rooms?limit=2&after=${page1[1]}`)).body.data.map((r: { name: string }) => r.name);
      expect([...page1, ...page2]).toEqual(['a-public', 'b-private', 'd-public']);
      expect((await bob.get('/api/rooms?after=d-public')).body.data).toEqual([]);
    });

    it('manages members with roles: owners and admins add, only owners grant admin, admins remove members only', async () => {
      const owner = asUser(t.http, ct, 'r-owner');
      await owner.post('/api/rooms', { name: 'roles', visibility: 'private' });
      expect((await owner.post('/api/rooms/roles/members', { userId: 'r-admin', role: 'admin' })).body.data).toMatchObject({ userId: 'r-admin', role: 'admin' });
      const admin = asUser(t.http, ct, 'r-admin');
      expect((await admin.post('/api/rooms/roles/members', { userId: 'r-member' })).status).toBe(201);
      expect((await admin.post('/api/rooms/roles/members', { userId: 'r-other', role: 'admin' })).status).toBe(403);
      expect((await asUser(t.http, ct, 'r-member').post('/api/rooms/roles/members', { userId: 'x' })).status).toBe(403);
      const members = (await owner.get('/api/rooms/roles/members')).body.data;
      expect(members.map((m: { userId: string; role: string }) => [m.userId, m.role])).toEqual([
        ['r-owner', 'owner'],
        ['r-admin', 'admin'],
        ['r-member', 'member'],
      ]);
      expect((await admin.delete('/api/rooms/roles/members/r-owner')).status).toBe(403);
      expect((await admin.delete('/api/rooms/roles/members/r-member')).status).toBe(200);
      expect((await admin.delete('/api/rooms/roles/members/r-member')).status).toBe(404);
      // Anyone may leave.
      expect((await admin.delete('/api/rooms/roles/members/r-admin')).status).toBe(200);
      expect((await owner.get('/api/rooms/roles/members')).body.data).toHaveLength(1);
    });

    it('joins and leaves public rooms; private rooms are invisible to non-members', async () => {
      const owner = asUser(t.http, ct, 'j-owner');
      const stranger = asUser(t.http, ct, 'j-stranger');
      await owner.post('/api/rooms', { name: 'open-room' });
      const { body } = await owner.post('/api/rooms', { name: 'closed-room', visibility: 'private' });
      const closedId = body.data.id;
      expect((await stranger.post('/api/rooms/open-room/join')).body.data).toMatchObject({ role: 'member' });
      expect((await stranger.post('/api/rooms/open-room/leave')).body).toEqual({ success: true, data: { left: true } });
      expect((await stranger.get('/api/rooms/open-room')).body.data.role).toBeNull();

      for (const [method, path, payload] of [
        ['get', `/api/rooms/${closedId}`],
        ['get', '/api/rooms/closed-room'],
        ['get', `/api/rooms/${closedId}/messages`],
        ['get', `/api/rooms/${closedId}/members`],
        ['get', `/api/rooms/${closedId}/presence`],
        ['get', `/api/rooms/${closedId}/receipts`],
        ['post', `/api/rooms/${closedId}/join`],
        ['post', `/api/rooms/${closedId}/messages`, { payload: 'hi' }],
        ['post', '/api/message', { room: 'closed-room', payload: 'hi' }],
        ['post', `/api/rooms/${closedId}/members`, { userId: 'j-stranger' }],
        ['patch', `/api/rooms/${closedId}`, { metadata: {} }],
        ['delete', `/api/rooms/${closedId}`],
      ] as const) {
        const res = await (stranger[method] as (p: string, b?: unknown) => Promise<{ status: number }>)(path, payload);
        expect([path, method, res.status]).toEqual([path, method, 404]);
      }
      expect((await stranger.get('/api/rooms')).body.data.map((r: { name: string }) => r.name)).not.toContain('closed-room');
    });
  });

  describe('messages', () => {
    it('posts (idempotently), edits and deletes own messages as tombstones', async () => {
      const alice = asUser(t.http, ct, 'msg-alice');
      const bob = asUser(t.http, ct, 'msg-bob');
      await alice.post('/api/rooms', { name: 'msgs', members: ['msg-bob'] });
      const bobWs = await connectUser(t.baseUrl, ct, 'msg-bob');
      clients.push(bobWs);

      const first = await alice.post('/api/rooms/msgs/messages', { payload: 'hello', clientMessageId: 'k-1' });
      expect(first.status).toBe(201);
      expect(first.body.data).toMatchObject({ room: 'msgs', sender: 'msg-alice', payload: 'hello', clientMessageId: 'k-1', created: true });
      const retry = await alice.post('/api/rooms/msgs/messages', { payload: 'hello', clientMessageId: 'k-1' });
      expect(retry.status).toBe(200);
      expect(retry.body.data).toMatchObject({ id: first.body.data.id, created: false });
      expect((await bobWs.next('message')).data.id).toBe(first.body.data.id);
      const id = first.body.data.id;

      expect((await bob.patch(`/api/rooms/msgs/messages/${id}`, { payload: 'hacked' })).status).toBe(403);
      const edited = await alice.patch(`/api/rooms/msgs/messages/${id}`, { payload: 'hello (edited)' });
      expect(edited.body.data).toMatchObject({ payload: 'hello (edited)', editedAt: expect.any(String) });
      expect((await bobWs.next('message_updated')).data).toMatchObject({ id, payload: 'hello (edited)' });

      expect((await bob.delete(`/api/rooms/msgs/messages/${id}`)).status).toBe(403);
      const deleted = await alice.delete(`/api/rooms/msgs/messages/${id}`);
      expect(deleted.body.data).toMatchObject({ id, payload: null, deletedAt: expect.any(String) });
      expect((await bobWs.next('message_deleted')).data).toMatchObject({ id, payload: null });
      expect((await alice.patch(`/api/rooms/msgs/messages/${id}`, { payload: 'back' })).status).toBe(409);

      const history = (await bob.get('/api/rooms/msgs/messages')).body.data.messages;
      expect(history).toEqual([expect.objectContaining({ id, payload: null, deletedAt: expect.any(String) })]);
      expect((await alice.post('/api/rooms/msgs/messages', { payload: '' })).body.error).toMatchObject({ message: 'Payload required' });
      expect((await alice.post('/api/rooms/msgs/messages', { payload: 'x'.repeat(20_000) })).status).toBe(413);
      expect((await alice.patch('/api/rooms/msgs/messages/not-a-uuid', { payload: 'x' })).status).toBe(400);
    });

    it('owners and admins may delete the messages of others (moderation)', async () => {
      const owner = asUser(t.http, ct, 'mod-owner');
      await owner.post('/api/rooms', { name: 'moderated', members: ['mod-user'] });
      const posted = await asUser(t.http, ct, 'mod-user').post('/api/rooms/moderated/messages', { payload: 'spam' });
      expect((await owner.delete(`/api/rooms/moderated/messages/${posted.body.data.id}`)).body.data.deletedAt).not.toBeNull();
    });

    it('pages history both ways with before/after cursors and limit ≤ 100', async () => {
      const u = asUser(t.http, ct, 'pager');
      await u.post('/api/rooms', { name: 'pages' });
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await u.post('/api/rooms/pages/messages', { payload: `m${i}` })).body.data.id);
      const payloads = (r: { body: { data: { messages: { payload: string }[] } } }) => r.body.data.messages.map((m) => m.payload);

      const latest = await u.get('/api/rooms/pages/messages?limit=3');
      expect(payloads(latest)).toEqual(['m4', 'm5', 'm6']);
      expect(latest.body.data.hasMore).toBe(true);
      const older = await u.get(`/api/rooms/pages/messages?limit=3&before=${ids[4]}`);
      expect(payloads(older)).toEqual(['m1', 'm2', 'm3']);
      expect(older.body.data.hasMore).toBe(true);
      const oldest = await u.get(`/api/rooms/pages/messages?limit=3&before=${ids[1]}`);
      expect(payloads(oldest)).toEqual(['m0']);
      expect(oldest.body.data.hasMore).toBe(false);
      expect(payloads(await u.get(`/api/rooms/pages/messages?before=${ids[0]}`))).toEqual([]);

      const catchUp = await u.get(`/api/rooms/pages/messages?limit=3&after=${ids[2]}`);
      expect(payloads(catchUp)).toEqual(['m3', 'm4', 'm5']);
      expect(catchUp.body.data.hasMore).toBe(true);
      const rest = await u.get(`/api/rooms/pages/messages?limit=3&after=${ids[5]}`);
      expect(payloads(rest)).toEqual(['m6']);
      expect(rest.body.data.hasMore).toBe(false);
      const exact = await u.get(`/api/rooms/pages/messages?limit=1&after=${ids[5]}`);
      expect(exact.body.data).toMatchObject({ hasMore: false });
      expect(payloads(await u.get(`/api/rooms/pages/messages?after=${ids[6]}`))).toEqual([]);
      expect(payloads(await u.get('/api/rooms/pages/messages?limit=100'))).toHaveLength(7);

      expect((await u.get('/api/rooms/pages/messages?limit=0')).status).toBe(400);
      expect((await u.get('/api/rooms/pages/messages?limit=101')).status).toBe(400);
      expect((await u.get(`/api/rooms/pages/messages?before=${ids[1]}&after=${ids[2]}`)).status).toBe(400);
      expect((await u.get('/api/rooms/pages/messages?before=nope')).status).toBe(400);
      expect((await u.get('/api/rooms/pages/messages?before=00000000-0000-4000-8000-000000000000')).status).toBe(404);
    });

    it('takes receipts over REST and lists the markers', async () => {
      const alice = asUser(t.http, ct, 'rc-alice');
      const bob = asUser(t.http, ct, 'rc-bob');
      await alice.post('/api/rooms', { name: 'rc', members: ['rc-bob'] });
      const aliceWs = await connectUser(t.baseUrl, ct, 'rc-alice');
      clients.push(aliceWs);
      const m = (await alice.post('/api/rooms/rc/messages', { payload: 'read me' })).body.data;
      const res = await bob.post('/api/rooms/rc/receipts', { messageId: m.id, status: 'read' });
      expect(res.body.data).toEqual({ userId: 'rc-bob', deliveredMessageId: m.id, readMessageId: m.id, updatedAt: expect.any(String), unreadCount: 0 });
      expect((await aliceWs.next('receipt')).data).toMatchObject({ messageId: m.id, userId: 'rc-bob', status: 'read' });
      expect((await alice.get('/api/rooms/rc/receipts')).body.data).toEqual([expect.objectContaining({ userId: 'rc-bob', readMessageId: m.id })]);
      expect((await bob.post('/api/rooms/rc/receipts', { messageId: m.id, status: 'seen' })).status).toBe(400);
      expect((await asUser(t.http, ct, 'rc-stranger').post('/api/rooms/rc/receipts', { messageId: m.id, status: 'read' })).status).toBe(403);
    });
  });

  describe('notifications', () => {
    it('stores and pushes notifications; lists them with an unread filter and pagination; marks them read', async () => {
      const ws = await connectUser(t.baseUrl, ct, 'n-user');
      clients.push(ws);
      const sent = await t.http.post('/api/notifications', { userIds: ['n-user', 'n-other'], type: 'comment', data: { message: 'New comment', level: 'info' } }, { apiKey: ct.key });
      expect(sent.status).toBe(201);
      expect(sent.body.data.count).toBe(2);
      expect(await ws.next('notification')).toEqual({
        type: 'notification',
        data: { id: expect.any(String), userId: 'n-user', type: 'comment', data: { message: 'New comment', level: 'info' }, read: false, readAt: null, createdAt: expect.any(String) },
      });
      for (let i = 0; i < 3; i++) await t.http.post('/api/notifications', { userIds: ['n-user'], type: 'ping', data: { i } }, { apiKey: ct.key });

      const me = asEndUser(t.http, ct, 'n-user');
      const all = (await me.get('/api/notifications')).body.data;
      expect(all.notifications.map((n: { type: string }) => n.type)).toEqual(['ping', 'ping', 'ping', 'comment']);
      expect(all).toMatchObject({ unreadCount: 4, hasMore: false });
      const page1 = (await me.get('/api/notifications?limit=2')).body.data;
      expect(page1.hasMore).toBe(true);
      const page2 = (await me.get(`/api/notifications?limit=2&before=${page1.notifications[1].id}`)).body.data;
      expect(page2.notifications.map((n: { id: string }) => n.id)).toEqual(all.notifications.slice(2).map((n: { id: string }) => n.id));
      expect(page2.hasMore).toBe(false);

      const read = await me.post(`/api/notifications/${all.notifications[0].id}/read`);
      expect(read.body.data).toMatchObject({ id: all.notifications[0].id, read: true, readAt: expect.any(String) });
      const unread = (await me.get('/api/notifications?unread=true')).body.data;
      expect(unread.notifications).toHaveLength(3);
      expect(unread.unreadCount).toBe(3);
      expect((await me.post('/api/notifications/read-all')).body.data).toEqual({ updated: 3 });
      expect((await me.get('/api/notifications?unread=true')).body.data.notifications).toEqual([]);

      // Another user's notification is not yours to read.
      const others = (await asUser(t.http, ct, 'n-other').get('/api/notifications')).body.data.notifications;
      expect((await me.post(`/api/notifications/${others[0].id}/read`)).status).toBe(404);
      // End users do not send notifications.
      expect((await me.post('/api/notifications', { userIds: ['x'], type: 't', data: {} })).status).toBe(403);
      expect((await t.http.post('/api/notifications', { userIds: [], type: 't', data: {} }, { apiKey: ct.key })).status).toBe(400);
    });
  });

  describe('access', () => {
    it('needs chat scopes for API keys and refuses account JWTs', async () => {
      const { key } = await createApiKey(t.http, ct.account, { scopes: ['chat:read'], tenantId: ct.tenant.id });
      const headers = { 'x-api-key': key, 'x-user-id': 'u' };
      expect((await t.http.get('/api/rooms', { headers })).status).toBe(200);
      expect((await t.http.post('/api/rooms', { name: 'nope' }, { headers })).body.error).toMatchObject({ code: 'AUTHORIZATION_ERROR' });
      expect((await t.http.get('/api/rooms', { token: ct.account.token })).status).toBe(403);
      expect((await t.http.get('/api/rooms')).status).toBe(401);
      expect((await t.http.get('/api/rooms', { headers: { authorization: `Bearer ${endUserToken(ct.tenant, 'u')}`, 'x-tenant-key': ct.tenant.key } })).status).toBe(200);
    });

    it('keeps tenants apart: a user of tenant A cannot read, post to, join or list anything of tenant B', async () => {
      const a = await createChatTenant(t.http);
      const b = await createChatTenant(t.http);
      const bUser = asUser(t.http, b, 'same-user');
      const room = (await bUser.post('/api/rooms', { name: 'shared-name' })).body.data;
      const msg = (await bUser.post('/api/rooms/shared-name/messages', { payload: 'B only' })).body.data;
      await t.http.post('/api/notifications', { userIds: ['same-user'], type: 't', data: {} }, { apiKey: b.key });
      const notification = (await bUser.get('/api/notifications')).body.data.notifications[0];

      // The same user id, in tenant A, with A's key or A's JWT.
      for (const aUser of [asUser(t.http, a, 'same-user'), asEndUser(t.http, a, 'same-user')]) {
        expect((await aUser.get(`/api/rooms/${room.id}`)).status).toBe(404);
        expect((await aUser.get(`/api/rooms/${room.id}/messages`)).status).toBe(404);
        expect((await aUser.post(`/api/rooms/${room.id}/join`)).status).toBe(404);
        expect((await aUser.post(`/api/rooms/${room.id}/messages`, { payload: 'intrusion' })).status).toBe(404);
        expect((await aUser.post(`/api/rooms/${room.id}/receipts`, { messageId: msg.id, status: 'read' })).status).toBe(404);
        expect((await aUser.post(`/api/notifications/${notification.id}/read`)).status).toBe(404);
        expect((await aUser.get('/api/rooms')).body.data).toEqual([]);
        expect((await aUser.get('/api/notifications')).body.data.notifications).toEqual([]);
      }
      // A room of the same name in A is A's own; B's history is untouched.
      await asUser(t.http, a, 'same-user').post('/api/message', { room: 'shared-name', payload: 'A only' });
      expect((await bUser.get('/api/rooms/shared-name/messages')).body.data.messages.map((m: { payload: string }) => m.payload)).toEqual(['B only']);
      // Over WebSocket: A's user joining "shared-name" gets A's room, never B's messages.
      const aWs = await connectUser(t.baseUrl, a, 'same-user');
      clients.push(aWs);
      await aWs.request({ type: 'join', room: 'shared-name' }, 'joined');
      await bUser.post('/api/rooms/shared-name/messages', { payload: 'B again' });
      expect(await aWs.receivesNothing((f) => f.type === 'message')).toBe(true);
      // And in the database itself: a message cannot name tenant A and a room of tenant B.
      const forged = t.app
        .get(DataSource)
        .query(`INSERT INTO chat_messages (tenant_id, room_id, sender_id, payload) VALUES ($1, $2, 'same-user', '"forged"')`, [a.tenant.id, room.id]);
      await expect(forged).rejects.toMatchObject({ code: '23503' });
    });

    it('rate-limits each tenant per second with headers and 429 RATE_LIMIT_EXCEEDED', async () => {
      const limited = await createChatTenant(t.http, { limits: { apiRequestsPerSecond: 3 } });
      const other = await createChatTenant(t.http);
      const u = asUser(t.http, limited, 'rl');
      // Start at the beginning of a second so the window does not roll over mid-burst.
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
      const results = await Promise.all(Array.from({ length: 5 }, () => u.get('/api/rooms')));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const ok = results.find((r) => r.status === 200)!;
      expect(ok.headers.get('x-ratelimit-limit')).toBe('3');
      expect(Number(ok.headers.get('x-ratelimit-remaining'))).toBeLessThan(3);
      const refused = results.find((r) => r.status === 429)!;
      expect(refused.body.error).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });
      expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(refused.headers.get('retry-after')).toBe('1');
      // Other tenants are not affected.
      expect((await asUser(t.http, other, 'rl').get('/api/rooms')).headers.get('x-ratelimit-limit')).toBe('100');
    });
  });
});
