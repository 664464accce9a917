import { startTestApp, TestApp } from '../support/test-app';
import type { Frame, TestWsClient } from '../realtime/support/ws-client';
import { asUser, ChatTenant, connectUser, createChatTenant, join, sendMessage } from './support/chat-fixtures';

/**
 * Group commit (MessageBatcher): messages sent at about the same time are stored by one multi-row
 * INSERT. A batch window makes batches certain here; messages committed in one transaction share
 * its timestamp, which is how these tests see that a batch happened.
 */
describe('chat group commit: batched sends keep every message its own outcome', () => {
  let t: TestApp;
  let ct: ChatTenant;
  const clients: TestWsClient[] = [];
  const track = (c: TestWsClient) => (clients.push(c), c);

  beforeAll(async () => {
    t = await startTestApp({ CHAT_BATCH_WINDOW_MS: '40', CHAT_BATCH_LANES: '2' });
    ct = await createChatTenant(t.http);
  });
  afterAll(() => t.close());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  /** Waits until the client has `n` frames matching. */
  async function frames(client: TestWsClient, n: number, match: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame[]> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = client.frames.filter(match);
      if (found.length >= n) return found;
      if (Date.now() > until) throw new Error(`expected ${n} frames, got ${found.length}: ${JSON.stringify(client.frames.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const history = async (room: string, user = 'reader') => {
    const res = await asUser(t.http, ct, user).get(`/api/rooms/${room}/messages?limit=100`);
    expect(res.status).toBe(200);
    return res.body.data.messages as { id: string; sender: string; payload: unknown; clientMessageId: string | null; timestamp: string }[];
  };

  it('stores concurrent sends from several connections once each, acks each sender with its own id, in room order', async () => {
    const senders = await Promise.all(['s1', 's2', 's3', 's4'].map(async (u) => track(await connectUser(t.baseUrl, ct, u))));
    const reader = track(await connectUser(t.baseUrl, ct, 'reader'));
    for (const c of [...senders, reader]) await join(c, 'busy');
    const perSender = 15;
    // Every frame goes out at once: the server takes each connection's messages in order, and
    // the connections' messages meet in the same batches.
    senders.forEach((c, s) => {
      for (let i = 0; i < perSender; i++) c.send({ type: 'message', room: 'busy', payload: { s, i }, clientMessageId: `s${s}-${i}` });
    });
    const acks = await Promise.all(senders.map((c) => frames(c, perSender, (f) => f.type === 'sent')));
    senders.forEach((_c, s) => {
      // Each sender's own acks, in its own order, each with the id it stored.
      expect(acks[s].map((a) => a.clientMessageId)).toEqual(Array.from({ length: perSender }, (_x, i) => `s${s}-${i}`));
      expect(acks[s].every((a) => a.duplicate === false && a.room === 'busy')).toBe(true);
    });
    const ids = acks.flat().map((a) => a.id);
    expect(new Set(ids).size).toBe(4 * perSender);

    const stored = await history('busy');
    expect(stored).toHaveLength(4 * perSender);
    expect(new Set(stored.map((m) => m.id))).toEqual(new Set(ids));
    for (const a of acks.flat()) expect(stored.find((m) => m.id === a.id)).toMatchObject({ clientMessageId: a.clientMessageId, timestamp: a.timestamp });
    // Room order: each sender's messages in the order sent; timestamps never go back.
    senders.forEach((_c, s) => {
      expect(stored.filter((m) => m.sender === `s${s + 1}`).map((m) => (m.payload as { i: number }).i)).toEqual(Array.from({ length: perSender }, (_x, i) => i));
    });
    const times = stored.map((m) => Date.parse(m.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Batched: several messages share a commit (and its timestamp).
    expect(new Set(times).size).toBeLessThan(stored.length);

    // Every member connection received each message once, in the room's order.
    const delivered = await frames(reader, 4 * perSender, (f) => f.type === 'message' && f.data.room === 'busy');
    expect(delivered.map((f) => f.data.id)).toEqual(stored.map((m) => m.id));
    await new Promise((r) => setTimeout(r, 200));
    expect(reader.frames.filter((f) => f.type === 'message')).toHaveLength(4 * perSender);
    // Senders get acks for their own messages and the others' messages as events.
    expect(senders[0].frames.filter((f) => f.type === 'message').map((f) => f.data.sender).sort()).toEqual([
      ...Array(perSender).fill('s2'),
      ...Array(perSender).fill('s3'),
      ...Array(perSender).fill('s4'),
    ]);
  });

  it('a clientMessageId retried inside the same batch and in a later one returns the first message, stored and delivered once', async () => {
    const phone = track(await connectUser(t.baseUrl, ct, 'retrier'));
    const laptop = track(await connectUser(t.baseUrl, ct, 'retrier'));
    const other = track(await connectUser(t.baseUrl, ct, 'other'));
    const reader = track(await connectUser(t.baseUrl, ct, 'reader'));
    for (const c of [phone, laptop, other, reader]) await join(c, 'retries');
    // The same user sends the same clientMessageId from two connections at once (one batch), while
    // another user sends the same clientMessageId (theirs is a different message).
    phone.send({ type: 'message', room: 'retries', payload: 'first', clientMessageId: 'dup-1' });
    laptop.send({ type: 'message', room: 'retries', payload: 'first (again)', clientMessageId: 'dup-1' });
    other.send({ type: 'message', room: 'retries', payload: 'mine', clientMessageId: 'dup-1' });
    const [a, b] = [(await frames(phone, 1, (f) => f.type === 'sent'))[0], (await frames(laptop, 1, (f) => f.type === 'sent'))[0]];
    const theirs = (await frames(other, 1, (f) => f.type === 'sent'))[0];
    expect(a.id).toBe(b.id);
    expect(a.timestamp).toBe(b.timestamp);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    expect(theirs).toMatchObject({ duplicate: false, clientMessageId: 'dup-1' });
    expect(theirs.id).not.toBe(a.id);

    // A later batch: the first message again.
    phone.send({ type: 'message', room: 'retries', payload: 'first (much later)', clientMessageId: 'dup-1' });
    const later = (await frames(phone, 2, (f) => f.type === 'sent'))[1];
    expect(later).toMatchObject({ id: a.id, timestamp: a.timestamp, duplicate: true });

    const stored = await history('retries');
    expect(stored.map((m) => m.id).sort()).toEqual([a.id, theirs.id].sort());
    const first = stored.find((m) => m.id === a.id)!;
    expect(['first', 'first (again)']).toContain(first.payload);
    await frames(reader, 2, (f) => f.type === 'message');
    await new Promise((r) => setTimeout(r, 300));
    expect(reader.frames.filter((f) => f.type === 'message').map((f) => f.data.id).sort()).toEqual([a.id, theirs.id].sort());
  });

  it('a message Postgres refuses gets its own error; the rest of its batch is stored and delivered', async () => {
    const users = ['g1', 'g2', 'bad', 'g3'];
    const conns = await Promise.all(users.map(async (u) => track(await connectUser(t.baseUrl, ct, u))));
    const reader = track(await connectUser(t.baseUrl, ct, 'reader'));
    for (const c of [...conns, reader]) await join(c, 'mixed');
    // \u0000 is valid JSON but cannot be stored in a jsonb string: the batch statement fails and
    // its messages are stored one by one.
    conns.forEach((c, i) => c.send({ type: 'message', room: 'mixed', payload: users[i] === 'bad' ? { text: 'nul \u0000 here' } : { text: users[i] }, clientMessageId: `m-${i}` }));
    const answers = await Promise.all(conns.map(async (c) => (await frames(c, 1, (f) => f.type === 'sent' || f.type === 'error'))[0]));
    expect(answers[2]).toEqual({ type: 'error', code: 'invalid_request', message: expect.stringMatching(/^Payload cannot be stored/) });
    for (const i of [0, 1, 3]) expect(answers[i]).toMatchObject({ type: 'sent', room: 'mixed', clientMessageId: `m-${i}`, duplicate: false });

    const stored = await history('mixed');
    expect(stored.map((m) => m.sender).sort()).toEqual(['g1', 'g2', 'g3']);
    const delivered = await frames(reader, 3, (f) => f.type === 'message' && f.data.room === 'mixed');
    expect(delivered.map((f) => f.data.id)).toEqual(stored.map((m) => m.id));
    // The connection that sent it is fine.
    conns[2].send({ type: 'message', room: 'mixed', payload: { text: 'clean now' } });
    expect((await frames(conns[2], 1, (f) => f.type === 'sent'))[0]).toMatchObject({ room: 'mixed', duplicate: false });
  });

  it('a sender who is not (or no longer) a member gets "You must join the room first" while the batch goes on', async () => {
    const owner = asUser(t.http, ct, 'boss');
    expect((await owner.post('/api/rooms', { name: 'club', visibility: 'private', members: ['insider', 'leaver'] })).status).toBe(201);
    const insider = track(await connectUser(t.baseUrl, ct, 'insider'));
    const leaver = track(await connectUser(t.baseUrl, ct, 'leaver'));
    const outsider = track(await connectUser(t.baseUrl, ct, 'outsider'));
    await join(insider, 'club');
    await join(leaver, 'club');
    expect((await sendMessage(leaver, 'club', 'still here')).duplicate).toBe(false);
    expect((await owner.delete('/api/rooms/club/members/leaver')).status).toBe(200);

    insider.send({ type: 'message', room: 'club', payload: 'members only' });
    leaver.send({ type: 'message', room: 'club', payload: 'after removal' });
    outsider.send({ type: 'message', room: 'club', payload: 'let me in' });
    expect((await frames(insider, 1, (f) => f.type === 'sent'))[0]).toMatchObject({ room: 'club', duplicate: false });
    for (const c of [leaver, outsider]) {
      expect((await frames(c, 1, (f) => f.type === 'error'))[0]).toEqual({ type: 'error', code: 'unauthorized', message: 'You must join the room first' });
    }
    const stored = await history('club', 'boss');
    expect(stored.map((m) => m.payload)).toEqual(['still here', 'members only']);
  });

  it('REST posts in one batch: a concurrent retry returns the first message, 201 then 200', async () => {
    const poster = asUser(t.http, ct, 'poster');
    expect((await poster.post('/api/rooms', { name: 'rest-batch' })).status).toBe(201);
    const sends = await Promise.all([
      poster.post('/api/rooms/rest-batch/messages', { payload: 'one', clientMessageId: 'r-1' }),
      poster.post('/api/rooms/rest-batch/messages', { payload: 'one', clientMessageId: 'r-1' }),
      asUser(t.http, ct, 'poster-2').post('/api/rooms/rest-batch/messages', { payload: 'two' }),
    ]);
    // poster-2 is not a member yet: posting to a public room joins it.
    expect(sends.map((r) => r.status).sort()).toEqual([200, 201, 201]);
    const [x, y] = [sends[0].body.data, sends[1].body.data];
    expect(x.id).toBe(y.id);
    expect([x.created, y.created].sort()).toEqual([false, true]);
    const stored = await history('rest-batch', 'poster');
    expect(stored.map((m) => m.payload).sort()).toEqual(['one', 'two']);
  });
});
