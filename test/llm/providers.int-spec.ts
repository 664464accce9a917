import { AppConfig, LlmProviderName, loadConfig } from '../../src/config/app-config';
import { buildPrompt } from '../../src/modules/llm/llm-prompt';
import { LlmProvider } from '../../src/modules/llm/llm-provider';
import { LlmProviderError } from '../../src/modules/llm/llm-provider.error';
import { buildProviders } from '../../src/modules/llm/llm-provider.registry';
import { testEnv } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { ANSWER, ANSWER_CHUNKS, FakeLlmVendor, RecordedRequest, USAGE } from './support/fake-llm-vendor';

const WINDOW = [{ s: 'BTCUSDT', c: '42000.5' }, { s: 'BTCUSDT', c: '42100' }];
const request = () =>
  buildPrompt({
    question: 'What is the trend?',
    systemPrompt: 'You are a test analyst.',
    window: WINDOW,
    topic: 'BTCUSDT',
    history: [{ question: 'Earlier question', answer: 'Earlier answer' }],
    maxTokens: 256,
    temperature: 0.2,
  });

describe('LLM provider clients against fake vendor servers', () => {
  let fake: FakeLlmVendor;
  let providers: Map<LlmProviderName, LlmProvider>;
  let config: AppConfig;

  beforeAll(async () => {
    fake = await FakeLlmVendor.start();
    config = loadConfig(
      testEnv({
        OPENAI_API_KEY: 'sk-openai-test',
        OPENAI_MODEL: 'gpt-test',
        OPENAI_BASE_URL: `${fake.url}/openai/v1`,
        AZURE_OPENAI_ENDPOINT: `${fake.url}/azure/`,
        AZURE_OPENAI_API_KEY: 'azure-key',
        AZURE_OPENAI_API_VERSION: '2024-02-15-preview',
        AZURE_OPENAI_DEPLOYMENT_NAME: 'gpt4o-deploy',
        ANTHROPIC_API_KEY: 'sk-ant-test',
        ANTHROPIC_MODEL: 'claude-test',
        ANTHROPIC_BASE_URL: `${fake.url}/anthropic`,
        GOOGLE_API_KEY: 'google-key',
        GOOGLE_MODEL: 'gemini-test',
        GOOGLE_BASE_URL: `${fake.url}/google`,
        MISTRAL_API_KEY: 'mistral-key',
        MISTRAL_MODEL: 'mistral-test',
        MISTRAL_BASE_URL: `${fake.url}/mistral/v1`,
        XAI_API_KEY: 'xai-key',
        XAI_MODEL: 'grok-test',
        XAI_BASE_URL: `${fake.url}/xai/v1`,
        OLLAMA_BASE_URL: `${fake.url}/ollama`,
        OLLAMA_MODEL: 'llama-test',
        REQUEST_TIMEOUT_MS: '2000',
      }),
    );
    providers = buildProviders(config);
  });
  beforeEach(() => {
    fake.requests.length = 0;
    fake.mode = { kind: 'ok' };
  });
  afterAll(() => fake.close());

  const get = (name: LlmProviderName) => providers.get(name)!;
  const ask = (name: LlmProviderName) => get(name).complete(request(), new AbortController().signal);
  const stream = async (name: LlmProviderName) => {
    const chunks: string[] = [];
    const result = await get(name).stream(request(), new AbortController().signal, (c) => chunks.push(c));
    return { chunks, result };
  };
  const only = (): RecordedRequest => {
    expect(fake.requests).toHaveLength(1);
    return fake.requests[0];
  };
  const usage = { inputTokens: USAGE.input, outputTokens: USAGE.output, totalTokens: USAGE.total };

  it('enables exactly the configured providers (builtin included)', () => {
    expect([...providers.keys()].sort()).toEqual(['anthropic', 'azure-openai', 'builtin', 'gemini', 'grok', 'mistral', 'ollama', 'openai']);
    const none = buildProviders(loadConfig(testEnv({ LLM_BUILTIN_ENABLED: 'false' })));
    expect([...none.keys()]).toEqual([]);
  });

  describe.each([
    ['openai', '/openai/v1/chat/completions', { authorization: 'Bearer sk-openai-test' }, 'gpt-test'],
    ['mistral', '/mistral/v1/chat/completions', { authorization: 'Bearer mistral-key' }, 'mistral-test'],
    ['grok', '/xai/v1/chat/completions', { authorization: 'Bearer xai-key' }, 'grok-test'],
    ['azure-openai', '/azure/openai/deployments/gpt4o-deploy/chat/completions?api-version=2024-02-15-preview', { 'api-key': 'azure-key' }, 'gpt4o-deploy'],
  ] as const)('%s (OpenAI chat completions format)', (name, path, auth, model) => {
    it('sends system prompt, memory and question with the vendor auth, and reads the answer and usage', async () => {
      expect(await ask(name)).toEqual({ text: ANSWER, usage });
      const r = only();
      expect(r.method).toBe('POST');
      expect(r.url).toBe(path);
      expect(r.headers).toMatchObject({ ...auth, 'content-type': 'application/json' });
      expect(r.body).toMatchObject({ model, max_tokens: 256, temperature: 0.2 });
      expect(r.body.stream).toBeUndefined();
      expect(r.body.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
      expect(r.body.messages[0].content).toBe('You are a test analyst.');
      expect(r.body.messages[2].content).toBe('Earlier answer');
      expect(r.body.messages[3].content).toContain('What is the trend?');
      expect(r.body.messages[3].content).toContain(JSON.stringify(WINDOW[1]));
    });

    it('streams SSE deltas and takes usage from the final chunk', async () => {
      const { chunks, result } = await stream(name);
      expect(chunks).toEqual(ANSWER_CHUNKS);
      expect(result).toEqual({ text: ANSWER, usage });
      expect(only().body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    });
  });

  it('anthropic: /v1/messages with the key as Bearer and anthropic-version 2026-10-21; SSE message events with usage', async () => {
    expect(await ask('anthropic')).toEqual({ text: ANSWER, usage });
    const r = only();
    expect(r.url).toBe('/anthropic/v1/messages');
    expect(r.headers).toMatchObject({ authorization: 'Bearer sk-ant-test', 'anthropic-version': '2026-10-21' });
    expect(r.body).toMatchObject({ model: 'claude-test', system: 'You are a test analyst.', max_tokens: 256 });
    // That API version refuses sampling parameters, even at their defaults.
    expect(r.body).not.toHaveProperty('temperature');
    expect(r.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user']);
    fake.requests.length = 0;
    const { chunks, result } = await stream('anthropic');
    expect(chunks).toEqual(ANSWER_CHUNKS);
    expect(result).toEqual({ text: ANSWER, usage });
    expect(only().body.stream).toBe(true);
  });

  it('gemini: generateContent / streamGenerateContent?alt=sse with x-goog-api-key, roles user/model, usageMetadata', async () => {
    expect(await ask('gemini')).toEqual({ text: ANSWER, usage });
    const r = only();
    expect(r.url).toBe('/google/v1beta/models/gemini-test:generateContent');
    expect(r.headers).toMatchObject({ 'x-goog-api-key': 'google-key' });
    expect(r.body.systemInstruction).toEqual({ parts: [{ text: 'You are a test analyst.' }] });
    expect(r.body.contents.map((c: { role: string }) => c.role)).toEqual(['user', 'model', 'user']);
    expect(r.body.generationConfig).toEqual({ maxOutputTokens: 256, temperature: 0.2 });
    fake.requests.length = 0;
    const { chunks, result } = await stream('gemini');
    expect(only().url).toBe('/google/v1beta/models/gemini-test:streamGenerateContent?alt=sse');
    expect(chunks).toEqual(ANSWER_CHUNKS);
    expect(result).toEqual({ text: ANSWER, usage });
  });

  it('ollama: /api/chat without a key; NDJSON stream with counts in the done line', async () => {
    expect(await ask('ollama')).toEqual({ text: ANSWER, usage });
    const r = only();
    expect(r.url).toBe('/ollama/api/chat');
    expect(r.headers.authorization).toBeUndefined();
    expect(r.body).toMatchObject({ model: 'llama-test', stream: false, options: { num_predict: 256, temperature: 0.2 } });
    expect(r.body.messages[0]).toEqual({ role: 'system', content: 'You are a test analyst.' });
    fake.requests.length = 0;
    const { chunks, result } = await stream('ollama');
    expect(only().body.stream).toBe(true);
    expect(chunks).toEqual(ANSWER_CHUNKS);
    expect(result).toEqual({ text: ANSWER, usage });
  });

  const KEYS = ['sk-openai-test', 'azure-key', 'sk-ant-test', 'google-key', 'mistral-key', 'xai-key'];
  const VENDORS = ['openai', 'azure-openai', 'anthropic', 'gemini', 'mistral', 'grok', 'ollama'] as const;

  it.each(VENDORS)('%s: a vendor 429 becomes LlmProviderError with status and Retry-After, tried once, no key in the message', async (name) => {
    fake.mode = { kind: 'fail', status: 429, retryAfterSeconds: 7 };
    const err = await ask(name).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmProviderError);
    expect(err).toMatchObject({ provider: name, status: 429, retryAfterMs: 7000, kind: 'http' });
    expect((err as Error).message).toContain('fake failure 429');
    for (const key of KEYS) expect((err as Error).message).not.toContain(key);
    // Retrying is auto mode's backoff's job, not the client's.
    expect(fake.requests).toHaveLength(1);
  });

  it.each(VENDORS)('%s: a vendor 500 becomes LlmProviderError (HTTP 500), streamed or not, tried once', async (name) => {
    fake.mode = { kind: 'fail', status: 500 };
    expect(await ask(name).catch((e: unknown) => e)).toMatchObject({ provider: name, status: 500, retryAfterMs: null, kind: 'http' });
    expect(await stream(name).catch((e: unknown) => e)).toMatchObject({ provider: name, status: 500, kind: 'http' });
    expect(fake.requests).toHaveLength(2);
  });

  it.each(['openai', 'anthropic', 'gemini'] as const)('%s: a vendor that does not finish in REQUEST_TIMEOUT_MS is a timeout', async (name) => {
    fake.mode = { kind: 'hang' };
    const chunks: string[] = [];
    const err = await get(name)
      .stream(request(), new AbortController().signal, (c) => chunks.push(c))
      .catch((e: unknown) => e);
    // The first chunk came, then nothing: the time limit covers the whole streamed answer.
    expect(chunks.length).toBeGreaterThan(0);
    expect(err).toBeInstanceOf(LlmProviderError);
    expect(err).toMatchObject({ provider: name, kind: 'timeout', status: null });
    await waitFor(() => fake.requests[0]?.aborted === true, 3_000);
  });

  it('openai-style: an error object mid-stream fails the stream instead of passing for a short answer', async () => {
    fake.mode = { kind: 'stream-error' };
    const err = await stream('grok').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmProviderError);
    expect(err).toMatchObject({ provider: 'grok', kind: 'protocol', status: null });
    expect((err as Error).message).toContain('The server had an error while processing your request.');
  });

  it('anthropic: an overloaded_error event mid-stream is a 429-like failure, so auto mode backs off', async () => {
    fake.mode = { kind: 'stream-error' };
    const err = await stream('anthropic').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmProviderError);
    expect(err).toMatchObject({ provider: 'anthropic', kind: 'protocol', status: 429 });
    expect((err as Error).message).toContain('Overloaded');
  });

  it('an unreachable vendor is a network error', async () => {
    const closed = await FakeLlmVendor.start();
    const url = closed.url;
    await closed.close();
    const unreachable = buildProviders(loadConfig(testEnv({ OPENAI_API_KEY: 'sk-x', OPENAI_BASE_URL: `${url}/v1`, ANTHROPIC_API_KEY: 'sk-y', ANTHROPIC_BASE_URL: url })));
    for (const name of ['openai', 'anthropic'] as const) {
      const err = await unreachable.get(name)!.complete(request(), new AbortController().signal).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LlmProviderError);
      expect(err).toMatchObject({ provider: name, kind: 'network', status: null });
    }
  });

  it.each(VENDORS)('%s: aborting a stream stops the upstream request', async (name) => {
    fake.mode = { kind: 'hang' };
    const abort = new AbortController();
    const chunks: string[] = [];
    const pending = get(name)
      .stream(request(), abort.signal, (c) => chunks.push(c))
      .catch((e: unknown) => e);
    await waitFor(() => chunks.length > 0, 3_000);
    abort.abort();
    const err = await pending;
    expect(err).not.toBeInstanceOf(LlmProviderError);
    expect((err as Error).name).toBe('AbortError');
    await waitFor(() => fake.requests[0]?.aborted === true, 3_000);
  });

  it("the SDKs take their settings from Relaybase's config, not from their own environment variables", async () => {
    const theirs = {
      OPENAI_BASE_URL: 'http://127.0.0.1:9/wrong',
      OPENAI_ORG_ID: 'org-from-env',
      OPENAI_PROJECT_ID: 'proj-from-env',
      OPENAI_API_VERSION: '1999-01-01',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/wrong',
      ANTHROPIC_AUTH_TOKEN: 'token-from-env',
    };
    const saved = Object.fromEntries(Object.keys(theirs).map((k) => [k, process.env[k]]));
    Object.assign(process.env, theirs);
    try {
      // Built now, as at start-up; the config is the same as the other tests'.
      const again = buildProviders(config);
      for (const name of ['openai', 'azure-openai', 'anthropic'] as const) {
        expect(await again.get(name)!.complete(request(), new AbortController().signal)).toEqual({ text: ANSWER, usage });
      }
      const [openai, azure, anthropic] = fake.requests;
      expect(openai.url).toBe('/openai/v1/chat/completions');
      expect(openai.headers['openai-organization']).toBeUndefined();
      expect(openai.headers['openai-project']).toBeUndefined();
      expect(azure.url).toBe('/azure/openai/deployments/gpt4o-deploy/chat/completions?api-version=2024-02-15-preview');
      expect(anthropic.url).toBe('/anthropic/v1/messages');
      expect(anthropic.headers.authorization).toBe('Bearer sk-ant-test');
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('builtin: a deterministic digest, no network, no tokens', async () => {
    const first = await ask('builtin');
    expect(first.usage.totalTokens).toBe(0);
    expect(first.text).toContain('Builtin digest of topic BTCUSDT: 2 entries.');
    expect(first.text).toContain('c went from 42000.5 to 42100');
    expect((await ask('builtin')).text).toBe(first.text);
    const { chunks } = await stream('builtin');
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(first.text);
    expect(fake.requests).toHaveLength(0);
  });
});
