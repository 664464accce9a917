import { DataSource } from 'typeorm';
import { createAccount, createApiKey, TestAccount } from '../factories/account.factory';
import { FakeUpstream, fixtureLines, SUBSCRIBE } from '../feeds/support/fake-upstream';
import { createFeed, FEED_TEST_ENV, isolatedPrefix } from '../feeds/support/feed-fixtures';
import { connectWithToken } from '../realtime/support/realtime-fixtures';
import { TestWsClient } from '../realtime/support/ws-client';
import { hasRedis, startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { ANSWER, ANSWER_CHUNKS, FakeLlmVendor, USAGE } from './support/fake-llm-vendor';

/** Each account may use 30 tokens a month: one fake answer costs 18. */
const QUOTA = 30;

describe('LLM queries: REST, streaming, WebSocket, quotas', () => {
  let t: TestApp;
  let fake: FakeLlmVendor;
  let upstream: FakeUpstream;
  let owner: TestAccount;
  let feedId: string;
  const clients: TestWsClient[] = [];
  let watcher: TestWsClient;

  const query = (account: TestAccount, body: Record<string, unknown>) => t.http.post('/api/llm/query', { feedId, question: 'What is the trend?', ...body }, { token: account.token });
  const me = async (account: TestAccount) => (await t.http.get('/api/auth/me', { token: account.token })).body;
  const sql = (text: string, params: unknown[]) => t.app.get(DataSource).query(text, params);

  beforeAll(async () => {
    fake = await FakeLlmVendor.start();
    upstream = await FakeUpstream.start({ frames: fixtureLines('coinbase-ticker') });
    t = await startTestApp({
      ...FEED_TEST_ENV,
      ...(hasRedis() ? { REDIS_KEY_PREFIX: isolatedPrefix() } : { REDIS_URL: '' }),
      LLM_CONTEXT_LIMIT: '5',
      DEFAULT_AI_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_MODEL: 'gpt-test',
      OPENAI_BASE_URL: `${fake.url}/v1`,
      TOKEN_QUOTA_PER_MONTH: String(QUOTA),
      REQUEST_TIMEOUT_MS: '3000',
    });
    owner = await createAccount(t.http, 'llm-owner');
    // The owner's cancelled streams are charged by estimate; let it overdraw so later tests can ask.
    await sql('UPDATE accounts SET overdraft_allowed = true WHERE id = $1', [owner.id]);
    const feed = await createFeed(t.http, owner, { name: 'Coinbase', url: upstream.url, connectionMessages: [SUBSCRIBE['coinbase-ticker']] });
    feedId = feed._id;
    // A live WebSocket subscriber (in this app's own cluster) makes the feed ingested; a marketplace
    // subscription would make every app of the test run on this database ingest it.
    watcher = await connectWithToken(t.baseUrl, owner.token);
    await watcher.request({ type: 'subscribe-feed', payload: { feedId } }, 'subscription-success');
    await waitFor(async () => (await t.http.get(`/api/marketplace/feeds/${feedId}/status`, { token: owner.token })).body.data.messagesReceived >= 6, 10_000);
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.mode = { kind: 'ok' };
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await watcher.close();
    await t.close();
    await upstream.close();
    await fake.close();
  });

  it('lists only the configured providers, builtin included', async () => {
    const res = await t.http.get('/api/llm/providers', { token: owner.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, enabled: true, providers: ['openai', 'builtin'], data: { enabled: true, providers: ['openai', 'builtin'], defaultProvider: 'openai' } });
  });

  it("answers from the feed's last LLM_CONTEXT_LIMIT entries and counts the reported tokens in /api/auth/me", async () => {
    const account = await createAccount(t.http, 'llm-asker');
    const own = await createFeed(t.http, account, { url: upstream.url, isPublic: false });
    // A public feed of another account is readable; the owner's private feed is not.
    await sql('UPDATE feeds SET is_public = true WHERE id = $1', [feedId]);
    const res = await query(account, { systemPrompt: 'You are a financial analyst.' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, answer: ANSWER, provider: 'openai', feedId, tokensUsed: USAGE.total, durationMs: expect.any(Number) });
    expect(res.body.data).toMatchObject({ answer: ANSWER, provider: 'openai', feedId, tokensUsed: USAGE.total });
    expect(fake.requests).toHaveLength(1);
    const sent = fake.requests[0];
    expect(sent.url).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-test');
    expect(sent.body.messages[0]).toEqual({ role: 'system', content: 'You are a financial analyst.' });
    const user = sent.body.messages[1].content as string;
    expect(user).toContain('What is the trend?');
    expect(user).toContain('the 5 most recent entries of the feed');
    expect(user).toContain('"product_id":"BTC-USD"');
    expect((await me(account)).user.tokenUsage).toMatchObject({ tokensUsed: USAGE.total, limit: QUOTA });

    expect((await query(owner, { feedId: own._id })).status).toBe(404);
    await sql('UPDATE feeds SET is_public = false WHERE id = $1', [feedId]);
    expect((await query(account, {})).status).toBe(404);
    expect(fake.requests).toHaveLength(1);
  });

  it('builtin answers without a network call or tokens, and is labelled builtin', async () => {
    const res = await query(owner, { provider: 'builtin' });
    expect(res.status).toBe(200);
    expect(res.body.provider).toBe('builtin');
    expect(res.body.tokensUsed).toBe(0);
    expect(res.body.answer).toMatch(/^Builtin digest of the feed: 5 entries\. .*price went from/);
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses bad bodies, providers that are not enabled, and API keys without websocket:llm', async () => {
    expect((await query(owner, { question: '' })).body.error.code).toBe('VALIDATION_ERROR');
    expect((await query(owner, { provider: 'anthropic' })).body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('not enabled') });
    expect((await query(owner, { topic: 'BTC' })).body.error.code).toBe('VALIDATION_ERROR');
    const noLlm = await createApiKey(t.http, owner, { scopes: ['websocket:subscribe'] });
    const withLlm = await createApiKey(t.http, owner, { scopes: ['websocket:llm'] });
    const body = { feedId, question: 'Q', provider: 'builtin' };
    expect((await t.http.post('/api/llm/query', body, { apiKey: noLlm.key })).status).toBe(403);
    expect((await t.http.post('/api/llm/query', body, { apiKey: withLlm.key })).status).toBe(200);
    expect((await t.http.get('/api/llm/providers')).status).toBe(401);
    expect(fake.requests).toHaveLength(0);
  });

  it('over quota: 429 QUOTA_EXCEEDED and no provider call; overdraftAllowed lets the account go on', async () => {
    const account = await createAccount(t.http, 'llm-quota');
    await sql('UPDATE feeds SET is_public = true WHERE id = $1', [feedId]);
    try {
      expect((await query(account, {})).status).toBe(200);
      expect((await query(account, {})).status).toBe(200);
      expect(fake.requests).toHaveLength(2);
      const refused = await query(account, {});
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ success: false, error: { code: 'QUOTA_EXCEEDED', message: expect.stringContaining('36 of 30 tokens') } });
      expect(fake.requests).toHaveLength(2);
      // Streams and builtin: streams are refused too; builtin costs nothing and still answers.
      expect((await t.http.post('/api/llm/query/stream', { feedId, question: 'Q' }, { token: account.token })).status).toBe(429);
      expect((await query(account, { provider: 'builtin' })).status).toBe(200);
      await sql('UPDATE accounts SET overdraft_allowed = true WHERE id = $1', [account.id]);
      expect((await query(account, {})).status).toBe(200);
      const usage = (await me(account)).user.tokenUsage;
      expect(usage).toMatchObject({ tokensUsed: 3 * USAGE.total, limit: QUOTA, overdraftAllowed: true });
    } finally {
      await sql('UPDATE feeds SET is_public = false WHERE id = $1', [feedId]);
    }
  });

  it('a provider failure is a 503 naming the provider; nothing is charged', async () => {
    const account = await createAccount(t.http, 'llm-fail');
    await sql('UPDATE feeds SET is_public = true WHERE id = $1', [feedId]);
    fake.mode = { kind: 'fail', status: 429, retryAfterSeconds: 3 };
    try {
      const res = await query(account, {});
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('3');
      expect(res.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('openai') });
      expect((await me(account)).user.tokenUsage.tokensUsed).toBe(0);
    } finally {
      await sql('UPDATE feeds SET is_public = false WHERE id = $1', [feedId]);
    }
  });

  it('streams the answer as chunked text and charges the reported usage', async () => {
    const account = owner;
    const before = (await me(account)).user.tokenUsage.tokensUsed;
    const res = await fetch(`${t.baseUrl}/api/llm/query/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ feedId, question: 'Analyze the recent price action' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toBe(ANSWER);
    expect(fake.requests[0].body.stream).toBe(true);
    expect((await me(account)).user.tokenUsage.tokensUsed).toBe(before + USAGE.total);
  });

  it('a streamed query cancelled by the client stops the upstream request', async () => {
    fake.mode = { kind: 'hang' };
    const abort = new AbortController();
    const res = await fetch(`${t.baseUrl}/api/llm/query/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ feedId, question: 'Q' }),
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(ANSWER_CHUNKS[0]);
    expect(fake.requests[0].aborted).toBe(false);
    abort.abort();
    await waitFor(() => fake.requests[0].aborted, 3_000);
  });

  it('WebSocket llm-query streams llm-chunk frames and a final llm-answer; needs websocket:llm', async () => {
    const client = await connectWithToken(t.baseUrl, owner.token);
    clients.push(client);
    client.send({ type: 'llm-query', payload: { feedId, question: 'Trend?', requestId: 'r-1' } });
    const answer = await client.next('llm-answer');
    const chunks = client.frames.filter((f) => f.type === 'llm-chunk');
    expect(chunks.map((f) => f.payload.chunk)).toEqual(ANSWER_CHUNKS);
    expect(chunks[0].payload).toEqual({ requestId: 'r-1', feedId, chunk: ANSWER_CHUNKS[0] });
    expect(answer.payload).toMatchObject({ requestId: 'r-1', answer: ANSWER, provider: 'openai', feedId, tokensUsed: USAGE.total });

    const key = await createApiKey(t.http, owner, { scopes: ['websocket:topic'] });
    const limited = await connectWithToken(t.baseUrl, key.key);
    clients.push(limited);
    expect(await limited.request({ type: 'llm-query', payload: { feedId, question: 'Q' } }, 'llm-answer')).toEqual({
      type: 'error',
      code: 'unauthorized',
      message: 'insufficient permissions',
    });
    expect(await client.request({ type: 'llm-query', payload: { feedId } }, 'llm-answer')).toMatchObject({ type: 'error', code: 'invalid_request' });
    // A provider failure mid-query is an error frame carrying the requestId.
    fake.mode = { kind: 'fail', status: 500 };
    expect(await client.request({ type: 'llm-query', payload: { feedId, question: 'Q', requestId: 'r-2' } }, 'llm-answer')).toMatchObject({
      type: 'error',
      requestId: 'r-2',
      message: expect.stringContaining('openai'),
    });
  });

  it('a WebSocket that closes mid-answer cancels the upstream request', async () => {
    fake.mode = { kind: 'hang' };
    const client = await connectWithToken(t.baseUrl, owner.token);
    client.send({ type: 'llm-query', payload: { feedId, question: 'Q' } });
    await client.next('llm-chunk');
    // At most 4 queries at a time per connection; a running answer does not hold up other messages.
    for (let i = 0; i < 3; i++) client.send({ type: 'llm-query', payload: { feedId, question: 'Q' } });
    await waitFor(() => fake.requests.length === 4, 3_000);
    expect(await client.request({ type: 'llm-query', payload: { feedId, question: 'Q' } }, 'llm-answer')).toMatchObject({ type: 'error', message: expect.stringContaining('At most 4') });
    await client.close();
    await waitFor(() => fake.requests.length === 4 && fake.requests.every((r) => r.aborted), 3_000);
  });
});
