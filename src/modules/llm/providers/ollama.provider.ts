import { LlmProvider, LlmRequest, LlmResult, usageOf } from '../llm-provider';
import { LlmProviderError } from '../llm-provider.error';
import { postJson, ProviderHttpOptions, readJson, streamFailure } from './provider-http';
import { lines } from './stream-lines';

interface OllamaChat {
  message?: { role?: string; content?: string };
  done?: boolean;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: string;
}

/**
 * Ollama's local API: `POST /api/chat`; `stream: false` answers one JSON object, `stream: true`
 * newline-delimited JSON objects, the last with `done: true` and the counts
 * (`prompt_eval_count`, `eval_count`). No key.
 */
export class OllamaProvider implements LlmProvider {
  readonly name = 'ollama' as const;

  constructor(
    readonly model: string,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async complete(request: LlmRequest, signal: AbortSignal): Promise<LlmResult> {
    const http = this.http(request, signal, false);
    const body = await readJson<OllamaChat>(http, await postJson(http));
    if (typeof body.message?.content !== 'string') throw new LlmProviderError(this.name, 'ollama answered without a message', null, null, 'protocol');
    return { text: body.message.content, usage: usageOf(body.prompt_eval_count, body.eval_count) };
  }

  async stream(request: LlmRequest, signal: AbortSignal, onChunk: (text: string) => void): Promise<LlmResult> {
    const http = this.http(request, signal, true);
    const res = await postJson(http);
    let text = '';
    let usage = usageOf(0, 0);
    try {
      for await (const line of lines(res.body)) {
        if (line.trim() === '') continue;
        const chunk = JSON.parse(line) as OllamaChat;
        if (chunk.error) throw new LlmProviderError(this.name, `ollama stream error: ${chunk.error}`, null, null, 'protocol');
        const piece = chunk.message?.content;
        if (piece) {
          text += piece;
          onChunk(piece);
        }
        if (chunk.done) {
          usage = usageOf(chunk.prompt_eval_count, chunk.eval_count);
          break;
        }
      }
    } catch (err) {
      throw streamFailure(http, err);
    }
    return { text, usage };
  }

  private http(request: LlmRequest, signal: AbortSignal, stream: boolean): ProviderHttpOptions {
    return {
      provider: this.name,
      url: `${this.baseUrl}/api/chat`,
      headers: {},
      timeoutMs: this.timeoutMs,
      signal,
      body: {
        model: this.model,
        messages: [{ role: 'system', content: request.system }, ...request.messages],
        stream,
        options: { num_predict: request.maxTokens, temperature: request.temperature },
      },
    };
  }
}
