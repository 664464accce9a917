import type Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming } from '@anthropic-ai/sdk/resources/messages';
import { LlmProvider, LlmRequest, LlmResult, usageOf } from '../llm-provider';
import { LlmProviderError } from '../llm-provider.error';
import { callVendor } from './vendor-call';

interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** Input tokens as billed: cache writes and reads are reported apart from `input_tokens`. */
const inputOf = (u: AnthropicUsage): number => (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);

/**
 * Anthropic's Messages API through `@anthropic-ai/sdk` (API version 2026-10-21): `POST /v1/messages`
 * with the key as `Authorization: Bearer` and `anthropic-version`; streamed as SSE events (message_start with the input usage, content_block_delta
 * text, message_delta with the output usage, message_stop; `error` events mid-stream).
 */
export class AnthropicProvider implements LlmProvider {
  readonly name = 'anthropic' as const;

  constructor(
    readonly model: string,
    private readonly client: Anthropic,
    private readonly timeoutMs: number,
  ) {}

  complete(request: LlmRequest, signal: AbortSignal): Promise<LlmResult> {
    return callVendor(this.name, this.timeoutMs, signal, async (s) => {
      const message = await this.client.messages.create(this.params(request), { signal: s });
      if (!Array.isArray(message.content)) throw new LlmProviderError(this.name, 'anthropic answered without content', null, null, 'protocol');
      const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
      return { text, usage: usageOf(inputOf(message.usage), message.usage.output_tokens) };
    });
  }

  stream(request: LlmRequest, signal: AbortSignal, onChunk: (text: string) => void): Promise<LlmResult> {
    return callVendor(this.name, this.timeoutMs, signal, async (s) => {
      const events = await this.client.messages.create({ ...this.params(request), stream: true }, { signal: s });
      let text = '';
      let input = 0;
      let output = 0;
      for await (const event of events) {
        if (event.type === 'message_start') {
          input = inputOf(event.message.usage);
          output = event.message.usage.output_tokens ?? output;
        } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta' && event.delta.text) {
          text += event.delta.text;
          onChunk(event.delta.text);
        } else if (event.type === 'message_delta') {
          // Cumulative counts; input ones only when the API sends them here.
          if (event.usage.input_tokens != null) input = inputOf(event.usage);
          output = event.usage.output_tokens ?? output;
        }
      }
      return { text, usage: usageOf(input, output) };
    });
  }

  /**
   * No temperature: API version 2026-10-21, which this SDK speaks, refuses sampling parameters (400
   * even at their defaults), so LLM_TEMPERATURE does not apply to Anthropic.
   */
  private params(request: LlmRequest): MessageCreateParamsNonStreaming {
    return { model: this.model, system: request.system, messages: request.messages, max_tokens: request.maxTokens };
  }
}
