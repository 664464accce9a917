import http, { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path with query string. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: any;
  /** True when the client went away before the response ended. */
  aborted: boolean;
  ended: boolean;
}

export type VendorMode =
  | { kind: 'ok' }
  /** Answers every request with this status (and Retry-After when given). */
  | { kind: 'fail'; status: number; retryAfterSeconds?: number }
  /** Streams the first chunk, then holds the response open (for cancellation). */
  | { kind: 'hang' }
  /** Streams the first chunk, then the vendor's in-stream error event (OpenAI-style and Anthropic). */
  | { kind: 'stream-error' };

/** What the fake answers: the text in chunks, and the usage it reports. */
export const ANSWER_CHUNKS = ['Prices ', 'are ', 'rising.'];
export const ANSWER = ANSWER_CHUNKS.join('');
export const USAGE = { input: 11, output: 7, total: 18 };

/**
 * One loopback HTTP server speaking the wire formats of OpenAI-style chat completions (OpenAI, Azure,
 * Mistral, xAI), Anthropic messages, Gemini generateContent and Ollama chat, streamed and not. It
 * records every request and whether the client hung up before the end.
 */
export class FakeLlmVendor {
  readonly requests: RecordedRequest[] = [];
  mode: VendorMode = { kind: 'ok' };
  /** Optional answer override per request (e.g. to tell topics apart). */
  answerFor: ((req: RecordedRequest) => string[]) | null = null;
  private readonly open = new Set<ServerResponse>();

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FakeLlmVendor> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const fake: FakeLlmVendor = new FakeLlmVendor(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => void fake.handle(req, res));
    return fake;
  }

  /** Requests whose path contains `fragment`. */
  to(fragment: string): RecordedRequest[] {
    return this.requests.filter((r) => r.url.includes(fragment));
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw ? JSON.parse(raw) : null, aborted: false, ended: false };
    this.requests.push(rec);
    this.open.add(res);
    res.on('close', () => {
      this.open.delete(res);
      if (!res.writableFinished) rec.aborted = true;
    });
    res.on('finish', () => (rec.ended = true));
    const mode = this.mode;
    if (mode.kind === 'fail') {
      res.writeHead(mode.status, { 'content-type': 'application/json', ...(mode.retryAfterSeconds !== undefined ? { 'retry-after': String(mode.retryAfterSeconds) } : {}) });
      res.end(JSON.stringify({ error: { message: `fake failure ${mode.status}`, type: 'server_error' } }));
      return;
    }
    const chunks = this.answerFor?.(rec) ?? ANSWER_CHUNKS;
    const url = rec.url;
    if (url.includes('/chat/completions')) return this.openAi(rec, res, chunks, mode.kind === 'hang', mode.kind === 'stream-error');
    if (url.endsWith('/v1/messages')) return this.anthropic(rec, res, chunks, mode.kind === 'hang', mode.kind === 'stream-error');
    if (url.includes(':generateContent') || url.includes(':streamGenerateContent')) return this.gemini(rec, res, chunks, mode.kind === 'hang');
    if (url.endsWith('/api/chat')) return this.ollama(rec, res, chunks, mode.kind === 'hang');
    res.writeHead(404).end();
  }

  private sse(res: ServerResponse, events: string[], hang: boolean): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (hang) {
      res.write(events[0]);
      return;
    }
    for (const e of events) res.write(e);
    res.end();
  }

  private openAi(rec: RecordedRequest, res: ServerResponse, chunks: string[], hang: boolean, streamError = false): void {
    const usage = { prompt_tokens: USAGE.input, completion_tokens: USAGE.output, total_tokens: USAGE.total };
    if (!rec.body.stream) {
      json(res, { id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: chunks.join('') }, finish_reason: 'stop' }], usage });
      return;
    }
    const data = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
    const events = [
      data({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }),
      ...chunks.map((c) => data({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: c } }] })),
      data({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
      data({ id: 'c', object: 'chat.completion.chunk', choices: [], usage }),
      'data: [DONE]\n\n',
    ];
    // A failure after the 200: an error object in place of the next chunk.
    const failure = data({ error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null } });
    this.sse(res, hang ? [events[1]] : streamError ? [events[1], failure] : events, hang);
  }

  private anthropic(rec: RecordedRequest, res: ServerResponse, chunks: string[], hang: boolean, streamError = false): void {
    if (!rec.body.stream) {
      json(res, { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'text', text: chunks.join('') }], usage: { input_tokens: USAGE.input, output_tokens: USAGE.output } });
      return;
    }
    const ev = (type: string, o: unknown) => `event: ${type}\ndata: ${JSON.stringify({ type, ...(o as object) })}\n\n`;
    const events = [
      ev('message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], usage: { input_tokens: USAGE.input, output_tokens: 1 } } }),
      ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      ev('ping', {}),
      ...chunks.map((c) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: c } })),
      ev('content_block_stop', { index: 0 }),
      ev('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: USAGE.output } }),
      ev('message_stop', {}),
    ];
    const failure = ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } });
    this.sse(res, hang ? [events[0] + events[3]] : streamError ? [events[0], events[3], failure] : events, hang);
  }

  private gemini(rec: RecordedRequest, res: ServerResponse, chunks: string[], hang: boolean): void {
    const candidate = (text: string) => ({ candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0 }] });
    const usageMetadata = { promptTokenCount: USAGE.input, candidatesTokenCount: USAGE.output, totalTokenCount: USAGE.total };
    if (rec.url.includes(':generateContent')) {
      json(res, { ...candidate(chunks.join('')), usageMetadata });
      return;
    }
    const events = chunks.map((c, i) => `data: ${JSON.stringify({ ...candidate(c), usageMetadata: i === chunks.length - 1 ? usageMetadata : { promptTokenCount: USAGE.input } })}\r\n\r\n`);
    this.sse(res, events, hang);
  }

  private ollama(rec: RecordedRequest, res: ServerResponse, chunks: string[], hang: boolean): void {
    if (!rec.body.stream) {
      json(res, { model: rec.body.model, message: { role: 'assistant', content: chunks.join('') }, done: true, prompt_eval_count: USAGE.input, eval_count: USAGE.output });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const lines = chunks.map((c) => JSON.stringify({ model: rec.body.model, message: { role: 'assistant', content: c }, done: false }) + '\n');
    if (hang) {
      res.write(lines[0]);
      return;
    }
    // A line split across two writes, as TCP may deliver it.
    const first = lines.join('');
    res.write(first.slice(0, 10));
    res.write(first.slice(10));
    res.end(JSON.stringify({ model: rec.body.model, message: { role: 'assistant', content: '' }, done: true, prompt_eval_count: USAGE.input, eval_count: USAGE.output }) + '\n');
  }
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
