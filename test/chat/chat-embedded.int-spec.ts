import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { isolatedPrefix } from '../support/test-services';
import { startTestApp, TestApp } from '../support/test-app';
import type { Frame, TestWsClient } from '../realtime/support/ws-client';
import { asUser, connectUser, createChatTenant, join } from './support/chat-fixtures';

/** Group commit on the embedded database (PGlite, which takes the plain TypeORM path, not the prepared statement). */
describe('chat group commit in embedded mode', () => {
  const dataDir = mkdtempSync(joinPath(tmpdir(), 'relaybase-chat-embedded-'));
  let t: TestApp;
  const clients: TestWsClient[] = [];

  beforeAll(async () => {
    t = await startTestApp({
      DATABASE_URL: undefined,
      REDIS_URL: undefined,
      JWT_SECRET: undefined,
      ENCRYPTION_KEY: undefined,
      DATA_DIR: dataDir,
      REDIS_KEY_PREFIX: isolatedPrefix('chat-embedded'),
      MIGRATIONS_RUN_ON_START: 'true',
      CHAT_BATCH_WINDOW_MS: '40',
    });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function first(client: TestWsClient, match: (f: Frame) => boolean): Promise<Frame> {
    const until = Date.now() + 10_000;
    for (;;) {
      const found = client.frames.find(match);
      if (found) return found;
      if (Date.now() > until) throw new Error(`no matching frame: ${JSON.stringify(client.frames.slice(-3))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('stores a batch, answers a same-batch retry with the first message and a bad payload with its own error', async () => {
    const ct = await createChatTenant(t.http);
    const conns = await Promise.all(['ann', 'ann', 'ben', 'cat'].map((u) => connectUser(t.baseUrl, ct, u)));
    clients.push(...conns);
    for (const c of conns) await join(c, 'embedded');
    const [ann1, ann2, ben, cat] = conns;
    ann1.send({ type: 'message', room: 'embedded', payload: 'hello', clientMessageId: 'e-1' });
    ann2.send({ type: 'message', room: 'embedded', payload: 'hello', clientMessageId: 'e-1' });
    ben.send({ type: 'message', room: 'embedded', payload: { n: 2 } });
    cat.send({ type: 'message', room: 'embedded', payload: 'bad \u0000' });
    const [a, b, c] = await Promise.all([ann1, ann2, ben].map((x) => first(x, (f) => f.type === 'sent')));
    expect(a.id).toBe(b.id);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    expect(c).toMatchObject({ room: 'embedded', duplicate: false });
    expect(await first(cat, (f) => f.type === 'error')).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^Payload cannot be stored/) });

    const history = await asUser(t.http, ct, 'cat').get('/api/rooms/embedded/messages');
    expect(history.body.data.messages.map((m: { id: string }) => m.id).sort()).toEqual([a.id, c.id].sort());
    expect((await first(cat, (f) => f.type === 'message' && f.data.id === c.id)).data).toMatchObject({ sender: 'ben', payload: { n: 2 } });
  });
});
