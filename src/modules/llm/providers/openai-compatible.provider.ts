import type { LlmProviderName } from '../../../config/app-config';
import { LlmProvider, LlmRequest, LlmResult, usageOf } from '../llm-provider';
import { LlmProviderError } from '../llm-provider.error';
import { postJson, ProviderHttpOptions, readJson, streamFailure } from './provider-http';
import { sseEvents } from './stream-lines';

export interface OpenAiCompatibleOptions {
  name: LlmProviderName;
  model: string;
  /** Full URL of the chat completions endpoint. */
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

interface ChatCompletion {
  choices?: Array<{ message?: { content?: string | null }; delta?: { content?: string | null } }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | null;
  error?: { message?: string };
}

/**
 * The OpenAI chat completions wire format, spoken by OpenAI, Azure OpenAI, Mistral and xAI (Grok):
 * `POST .../chat/completions` with `messages`; streaming as SSE `data:` chunks with `delta.content`,
 * usage in the last chunk (`stream_options.include_usage`), ended by `data: [DONE]`.
 */
export class OpenAiCompatibleProvider implements LlmProvider {
  readonly name: LlmProviderName;
  readonly model: string;

  constructor(private readonly o: OpenAiCompatibleOptions) {
    this.name = o.name;
    this.model = o.model;
  }

  async complete(request: LlmRequest, signal: AbortSignal): Promise<LlmResult> {
    const http = this.http(request, signal, false);
    const body = await readJson<ChatCompletion>(http, await postJson(http));
    const text = body.choices?.[0]?.message?.content;
    if (typeof text !== 'string') throw new LlmProviderError(this.name, `${this.name} answered without a message`, null, null, 'protocol');
    return { text, usage: usageOf(body.usage?.prompt_tokens, body.usage?.completion_tokens, body.usage?.total_tokens) };
  }

  async stream(request: LlmRequest, signal: AbortSignal, onChunk: (text: string) => void): Promise<LlmResult> {
    const http = this.http(request, signal, true);
    const res = await postJson(http);
    let text = '';
    let usage = usageOf(0, 0);
    try {
      for await (const e of sseEvents(res.body)) {
        if (e.data === '[DONE]') break;
        const chunk = JSON.parse(e.data) as ChatCompletion;
        if (chunk.error) throw new LlmProviderError(this.name, `${this.name} stream error: ${chunk.error.message ?? 'unknown'}`, null, null, 'protocol');
        const piece = chunk.choices?.[0]?.delta?.content;
        if (piece) {
          text += piece;
          onChunk(piece);
        }
        if (chunk.usage) usage = usageOf(chunk.usage.prompt_tokens, chunk.usage.completion_tokens, chunk.usage.total_tokens);
      }
    } catch (err) {
      throw streamFailure(http, err);
    }
    return { text, usage };
  }

  private http(request: LlmRequest, signal: AbortSignal, stream: boolean): ProviderHttpOptions {
    return {
      provider: this.name,
      url: this.o.url,
      headers: this.o.headers,
      timeoutMs: this.o.timeoutMs,
      signal,
      body: {
        model: this.model,
        messages: [{ role: 'system', content: request.system }, ...request.messages],
        max_tokens: request.maxTokens,
        temperature: request.temperature,
        ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
      },
    };
  }
}
