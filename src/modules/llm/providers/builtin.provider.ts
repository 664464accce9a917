import { builtinDigest } from '../builtin-digest';
import { LlmProvider, LlmRequest, LlmResult, NO_USAGE } from '../llm-provider';

/**
 * The keyless provider: no network and no model, a digest of the window computed here. Always named
 * `builtin` in answers and analyses, so nobody mistakes it for a model; it uses no tokens.
 */
export class BuiltinProvider implements LlmProvider {
  readonly name = 'builtin' as const;
  readonly model = 'builtin-digest';

  complete(request: LlmRequest, signal: AbortSignal): Promise<LlmResult> {
    signal.throwIfAborted();
    return Promise.resolve({ text: builtinDigest(request.window, request.topic), usage: NO_USAGE });
  }

  async stream(request: LlmRequest, signal: AbortSignal, onChunk: (text: string) => void): Promise<LlmResult> {
    const result = await this.complete(request, signal);
    // Sentence by sentence, so streaming clients see more than one chunk.
    const sentences = result.text.split(/(?<=\.) /);
    sentences.forEach((sentence, i) => {
      signal.throwIfAborted();
      onChunk(i < sentences.length - 1 ? `${sentence} ` : sentence);
    });
    return result;
  }
}
