import type OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { LlmProviderName } from '../../../config/app-config';
import { LlmProvider, LlmRequest, LlmResult, usageOf } from '../llm-provider';
import { LlmProviderError } from '../llm-provider.error';
import { callVendor } from './vendor-call';

/**
 * The OpenAI chat completions API through the `openai` SDK, spoken by OpenAI, Azure OpenAI (its
 * AzureOpenAI client), xAI (Grok) and Mistral at their own base URLs: `POST .../chat/completions`;
 * streaming as SSE chunks with `delta.content`, usage in the last chunk (`stream_options.include_usage`).
 * Mistral has an SDK of its own; its API accepts this format at https://api.mistral.ai/v1, which keeps
 * one dependency for four vendors.
 */
export class OpenAiCompatibleProvider implements LlmProvider {
  constructor(
    readonly name: LlmProviderName,
    readonly model: string,
    private readonly client: OpenAI,
    private readonly timeoutMs: number,
  ) {}

  complete(request: LlmRequest, signal: AbortSignal): Promise<LlmResult> {
    return callVendor(this.name, this.timeoutMs, signal, async (s) => {
      const body = await this.client.chat.completions.create(this.params(request), { signal: s });
      const text = body.choices?.[0]?.message?.content;
      if (typeof text !== 'string') throw new LlmProviderError(this.name, `${this.name} answered without a message`, null, null, 'protocol');
      return { text, usage: usageOf(body.usage?.prompt_tokens, body.usage?.completion_tokens, body.usage?.total_tokens) };
    });
  }

  stream(request: LlmRequest, signal: AbortSignal, onChunk: (text: string) => void): Promise<LlmResult> {
    return callVendor(this.name, this.timeoutMs, signal, async (s) => {
      const chunks = await this.client.chat.completions.create(
        { ...this.params(request), stream: true, stream_options: { include_usage: true } },
        { signal: s },
      );
      let text = '';
      let usage = usageOf(0, 0);
      for await (const chunk of chunks) {
        const piece = chunk.choices?.[0]?.delta?.content;
        if (piece) {
          text += piece;
          onChunk(piece);
        }
        if (chunk.usage) usage = usageOf(chunk.usage.prompt_tokens, chunk.usage.completion_tokens, chunk.usage.total_tokens);
      }
      return { text, usage };
    });
  }

  private params(request: LlmRequest): ChatCompletionCreateParamsNonStreaming {
    const messages: ChatCompletionMessageParam[] = [{ role: 'system', content: request.system }, ...request.messages];
    // max_tokens rather than max_completion_tokens: the one every OpenAI-compatible vendor and Azure
    // api-version accepts.
    return { model: this.model, messages, max_tokens: request.maxTokens, temperature: request.temperature };
  }
}
