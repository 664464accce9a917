import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { client, connected, createPusherApp, PusherApp, PusherClient, serverSdk, subscribed } from '../pusher/support/pusher-fixtures';
import { Receiver } from './support/receiver';
import { createEndpoint, FAST_WEBHOOKS, isolatedPrefix, pusherAccepts } from './support/webhook-fixtures';

interface Seen {
  name: string;
  channel?: string;
  user_id?: string;
  event?: string;
  data?: unknown;
  socket_id?: string;
}

/**
 * Events the realtime layer produces reach webhook endpoints as cluster-wide transitions: clients
 * are split across two instances on Redis (one instance without Redis), and every request must
 * pass the `pusher` SDK's webhook validator.
 */
describe('webhooks fed by the realtime hub, chat and notifications', () => {
  let a: TestApp;
  let b: TestApp;
  let receiver: Receiver;
  let app: PusherApp;
  const clients: PusherClient[] = [];
  const track = (c: PusherClient) => (clients.push(c), c);
  const env = { ...FAST_WEBHOOKS, REDIS_KEY_PREFIX: isolatedPrefix('hub-events') };

  const events = (): Seen[] => receiver.requests.flatMap((r) => r.body?.events ?? []);
  const named = (name: string, channel?: string) => events().filter((e) => e.name === name && (channel === undefined || e.channel === channel));
  const settle = () => new Promise((r) => setTimeout(r, 900)); // past the 400 ms flap window and delivery

  beforeAll(async () => {
    receiver = await Receiver.start();
    if (hasRedis()) [a, b] = await Promise.all([startTestApp(env), startTestApp(env)]);
    else b = a = await startTestApp({ ...env, REDIS_URL: '' });
    app = await createPusherApp(a, { settings: { clientEventsEnabled: true } });
    await createEndpoint(a.http, app.account, app.tenant.id, {
      url: receiver.url(),
      format: 'pusher',
      events: ['connection_established', 'connection_disconnected', 'channel_occupied', 'channel_vacated', 'member_added', 'member_removed', 'client_event', 'cache_miss', 'message_created', 'notification_created'],
    });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(async () => {
    await a.close();
    if (b !== a) await b.close();
    await receiver.close();
  });

  it('connection_established and connection_disconnected carry the socket id, once each', async () => {
    const c = track(client(b, app.tenant));
    const socketId = await connected(c);
    await waitFor(() => named('connection_established').some((e) => e.socket_id === socketId));
    c.disconnect();
    await waitFor(() => named('connection_disconnected').some((e) => e.socket_id === socketId));
    await settle();
    expect(named('connection_established').filter((e) => e.socket_id === socketId)).toEqual([{ name: 'connection_established', socket_id: socketId }]);
    expect(named('connection_disconnected').filter((e) => e.socket_id === socketId)).toHaveLength(1);
  });

  it('channel_occupied once when the first subscriber anywhere arrives, channel_vacated once when the last leaves', async () => {
    const one = track(client(a, app.tenant));
    const two = track(client(b, app.tenant));
    await subscribed(one, 'hooked');
    await subscribed(two, 'hooked');
    await waitFor(() => named('channel_occupied', 'hooked').length === 1);
    one.unsubscribe('hooked');
    await settle();
    expect(named('channel_vacated', 'hooked')).toEqual([]);
    two.unsubscribe('hooked');
    await waitFor(() => named('channel_vacated', 'hooked').length === 1, 5_000);
    await settle();
    expect(named('channel_occupied', 'hooked')).toHaveLength(1);
    expect(named('channel_vacated', 'hooked')).toHaveLength(1);
    expect(receiver.requests.every((r) => pusherAccepts(app.tenant, r))).toBe(true);
  });

  it('member_added per user (not per connection), member_removed on the last connection, none for a quick reconnect', async () => {
    const room = 'presence-hooked';
    const alice1 = track(client(a, app.tenant, { presence: { user_id: 'alice' } }));
    const alice2 = track(client(b, app.tenant, { presence: { user_id: 'alice' } }));
    await subscribed(alice1, room);
    await subscribed(alice2, room);
    await waitFor(() => named('member_added', room).length === 1);
    alice1.disconnect();
    await settle();
    expect(named('member_removed', room)).toEqual([]);

    // Leaves and comes back within the flap window: neither event.
    alice2.disconnect();
    const back = track(client(a, app.tenant, { presence: { user_id: 'alice' } }));
    await subscribed(back, room);
    await settle();
    expect(named('member_removed', room)).toEqual([]);
    expect(named('member_added', room)).toEqual([{ name: 'member_added', channel: room, user_id: 'alice' }]);

    back.disconnect();
    await waitFor(() => named('member_removed', room).length === 1, 5_000);
    expect(named('member_removed', room)).toEqual([{ name: 'member_removed', channel: room, user_id: 'alice' }]);
  });

  it('client_event with the event, its data, the sender socket and user, and cache_miss', async () => {
    const sender = track(client(a, app.tenant, { presence: { user_id: 'carol' } }));
    const other = track(client(b, app.tenant, { presence: { user_id: 'dan' } }));
    const socketId = await connected(sender);
    const channel = await subscribed(sender, 'presence-talk');
    await subscribed(other, 'presence-talk');
    channel.trigger('client-wave', { hand: 'left' });
    await waitFor(() => named('client_event').length === 1);
    expect(named('client_event')[0]).toEqual({
      name: 'client_event',
      channel: 'presence-talk',
      event: 'client-wave',
      data: '{"hand":"left"}',
      socket_id: socketId,
      user_id: 'carol',
    });

    await connected(other);
    other.subscribe('cache-quotes');
    await waitFor(() => named('cache_miss', 'cache-quotes').length === 1);
    await serverSdk(b, app.tenant).trigger('cache-quotes', 'q', '{}');
    const late = track(client(a, app.tenant));
    await subscribed(late, 'cache-quotes');
    await settle();
    expect(named('cache_miss', 'cache-quotes')).toHaveLength(1);
  });

  it('message_created after a chat message is stored, notification_created after a notification', async () => {
    const { body } = await a.http.post('/api/auth/api-keys', { name: 'chat', scopes: ['chat:read', 'chat:write'], tenantId: app.tenant.id }, { token: app.account.token });
    const asUser = { apiKey: body.key, headers: { 'x-user-id': 'erin' } };
    expect((await a.http.post('/api/rooms', { name: 'hooks-room' }, asUser)).status).toBe(201);
    const sent = await a.http.post('/api/rooms/hooks-room/messages', { payload: { text: 'hi' } }, asUser);
    expect(sent.status).toBe(201);
    await waitFor(() => named('message_created').length === 1);
    expect(named('message_created')[0]).toMatchObject({ channel: 'hooks-room', user_id: 'erin', data: { id: sent.body.data.id, payload: { text: 'hi' } } });

    expect((await a.http.post('/api/notifications', { userIds: ['erin', 'fay'], type: 'mention', data: { n: 1 } }, asUser)).status).toBe(201);
    await waitFor(() => named('notification_created').length === 2);
    expect(named('notification_created').map((e) => e.user_id).sort()).toEqual(['erin', 'fay']);
  });

  it('an endpoint added while messages flow gets the next message_created; messages before it are not sent', async () => {
    // A tenant with no endpoint yet: its messages go past the dispatcher on the cached empty list.
    const quiet = await createPusherApp(a);
    const { body } = await a.http.post('/api/auth/api-keys', { name: 'chat', scopes: ['chat:read', 'chat:write'], tenantId: quiet.tenant.id }, { token: quiet.account.token });
    const asUser = { apiKey: body.key, headers: { 'x-user-id': 'gil' } };
    expect((await a.http.post('/api/rooms', { name: 'late-hooks' }, asUser)).status).toBe(201);
    for (const text of ['before 1', 'before 2']) expect((await a.http.post('/api/rooms/late-hooks/messages', { payload: { text } }, asUser)).status).toBe(201);

    await createEndpoint(a.http, quiet.account, quiet.tenant.id, { url: receiver.url(), format: 'pusher', events: ['message_created'] });
    const after = await a.http.post('/api/rooms/late-hooks/messages', { payload: { text: 'after' } }, asUser);
    expect(after.status).toBe(201);
    await waitFor(() => named('message_created', 'late-hooks').length === 1);
    await settle();
    expect(named('message_created', 'late-hooks').map((e) => (e.data as { payload: unknown }).payload)).toEqual([{ text: 'after' }]);
  });
});
