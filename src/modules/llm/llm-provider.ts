import type { LlmProviderName } from '../../config/app-config';

export interface LlmMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** One request to a model: a system prompt and a conversation ending with the user's turn. */
export interface LlmRequest {
  system: string;
  messages: LlmMessage[];
  maxTokens: number;
  temperature: number;
  /**
   * The raw window behind the prompt, for providers that read data rather than text (builtin);
   * models get it inside `messages`.
   */
  window: unknown[];
  /** The topic analysed, or null for the whole feed. */
  topic: string | null;
}

/** Tokens as the vendor reported them (0 for builtin, which uses no model). */
export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface LlmResult {
  text: string;
  usage: LlmUsage;
}

/**
 * A model behind a vendor's HTTP API. `complete` asks for the whole answer; `stream` asks for it as
 * it is generated, calling `onChunk` per piece. Both stop the upstream request when `signal` aborts
 * and throw LlmProviderError for anything the vendor refuses or that times out.
 */
export interface LlmProvider {
  readonly name: LlmProviderName;
  readonly model: string;
  complete(request: LlmRequest, signal: AbortSignal): Promise<LlmResult>;
  stream(request: LlmRequest, signal: AbortSignal, onChunk: (text: string) => void): Promise<LlmResult>;
}

export const NO_USAGE: LlmUsage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };

export function usageOf(input: number | undefined, output: number | undefined, total?: number): LlmUsage {
  const i = Number.isFinite(input) ? Number(input) : 0;
  const o = Number.isFinite(output) ? Number(output) : 0;
  return { inputTokens: i, outputTokens: o, totalTokens: Number.isFinite(total) && total! > 0 ? Number(total) : i + o };
}
