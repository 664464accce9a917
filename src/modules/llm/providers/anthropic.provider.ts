import { LlmProvider, LlmRequest, LlmResult, usageOf } from '../llm-provider';
import { LlmProviderError } from '../llm-provider.error';
import { postJson, ProviderHttpOptions, readJson, streamFailure } from './provider-http';
import { sseEvents } from './stream-lines';

export const ANTHROPIC_VERSION = '2023-06-01';

interface AnthropicMessage {
  content?: Array<{ type: string; text?: string }>;
  usage?: { input_tokens?: number; output_tokens?: number };
}

interface AnthropicStreamEvent {
  type: string;
  message?: AnthropicMessage;
  delta?: { type?: string; text?: string };
  usage?: { input_tokens?: number; output_tokens?: number };
  error?: { type?: string; message?: string };
}

/**
 * Anthropic's Messages API: `POST /v1/messages` with `x-api-key` and `anthropic-version`; streaming
 * as SSE events (message_start with input usage, content_block_delta text, message_delta with the
 * output usage, message_stop; `error` events mid-stream).
 */
export class AnthropicProvider implements LlmProvider {
  readonly name = 'anthropic' as const;

  constructor(
    readonly model: string,
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly timeoutMs: number,
  ) {}

  async complete(request: LlmRequest, signal: AbortSignal): Promise<LlmResult> {
    const http = this.http(request, signal, false);
    const body = await readJson<AnthropicMessage>(http, await postJson(http));
    if (!Array.isArray(body.content)) throw new LlmProviderError(this.name, 'anthropic answered without content', null, null, 'protocol');
    const text = body.content.filter((c) => c.type === 'text').map((c) => c.text ?? '').join('');
    return { text, usage: usageOf(body.usage?.input_tokens, body.usage?.output_tokens) };
  }

  async stream(request: LlmRequest, signal: AbortSignal, onChunk: (text: string) => void): Promise<LlmResult> {
    const http = this.http(request, signal, true);
    const res = await postJson(http);
    let text = '';
    let input = 0;
    let output = 0;
    try {
      for await (const e of sseEvents(res.body)) {
        const event = JSON.parse(e.data) as AnthropicStreamEvent;
        if (event.type === 'message_start') {
          input = event.message?.usage?.input_tokens ?? input;
          output = event.message?.usage?.output_tokens ?? output;
        } else if (event.type === 'content_block_delta' && event.delta?.type === 'text_delta' && event.delta.text) {
          text += event.delta.text;
          onChunk(event.delta.text);
        } else if (event.type === 'message_delta') {
          output = event.usage?.output_tokens ?? output;
        } else if (event.type === 'error') {
          const overloaded = event.error?.type === 'overloaded_error' || event.error?.type === 'rate_limit_error';
          throw new LlmProviderError(this.name, `anthropic stream error: ${event.error?.message ?? 'unknown'}`, overloaded ? 429 : null, null, 'protocol');
        } else if (event.type === 'message_stop') {
          break;
        }
      }
    } catch (err) {
      throw streamFailure(http, err);
    }
    return { text, usage: usageOf(input, output) };
  }

  private http(request: LlmRequest, signal: AbortSignal, stream: boolean): ProviderHttpOptions {
    return {
      provider: this.name,
      url: `${this.baseUrl}/v1/messages`,
      headers: { 'x-api-key': this.apiKey, 'anthropic-version': ANTHROPIC_VERSION },
      timeoutMs: this.timeoutMs,
      signal,
      body: {
        model: this.model,
        system: request.system,
        messages: request.messages,
        max_tokens: request.maxTokens,
        temperature: request.temperature,
        ...(stream ? { stream: true } : {}),
      },
    };
  }
}
