import { LlmProvider, LlmRequest, LlmResult, usageOf } from '../llm-provider';
import { LlmProviderError } from '../llm-provider.error';
import { postJson, ProviderHttpOptions, readJson, streamFailure } from './provider-http';
import { sseEvents } from './stream-lines';

interface GenerateContentResponse {
  candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }>;
  usageMetadata?: { promptTokenCount?: number; candidatesTokenCount?: number; totalTokenCount?: number };
  error?: { message?: string };
}

const textOf = (r: GenerateContentResponse): string =>
  (r.candidates?.[0]?.content?.parts ?? []).map((p) => p.text ?? '').join('');

/**
 * Google's Gemini API: `POST /v1beta/models/{model}:generateContent` with `x-goog-api-key`;
 * streaming through `:streamGenerateContent?alt=sse`, each SSE event a partial response whose
 * `usageMetadata` is cumulative (the last one counts). Assistant turns have the role `model`.
 */
export class GeminiProvider implements LlmProvider {
  readonly name = 'gemini' as const;

  constructor(
    readonly model: string,
    private readonly baseUrl: string,
    private readonly apiKey: string,
    private readonly timeoutMs: number,
  ) {}

  async complete(request: LlmRequest, signal: AbortSignal): Promise<LlmResult> {
    const http = this.http(request, signal, false);
    const body = await readJson<GenerateContentResponse>(http, await postJson(http));
    if (!Array.isArray(body.candidates)) throw new LlmProviderError(this.name, 'gemini answered without candidates', null, null, 'protocol');
    const u = body.usageMetadata;
    return { text: textOf(body), usage: usageOf(u?.promptTokenCount, u?.candidatesTokenCount, u?.totalTokenCount) };
  }

  async stream(request: LlmRequest, signal: AbortSignal, onChunk: (text: string) => void): Promise<LlmResult> {
    const http = this.http(request, signal, true);
    const res = await postJson(http);
    let text = '';
    let usage = usageOf(0, 0);
    try {
      for await (const e of sseEvents(res.body)) {
        const chunk = JSON.parse(e.data) as GenerateContentResponse;
        if (chunk.error) throw new LlmProviderError(this.name, `gemini stream error: ${chunk.error.message ?? 'unknown'}`, null, null, 'protocol');
        const piece = textOf(chunk);
        if (piece) {
          text += piece;
          onChunk(piece);
        }
        const u = chunk.usageMetadata;
        if (u) usage = usageOf(u.promptTokenCount, u.candidatesTokenCount, u.totalTokenCount);
      }
    } catch (err) {
      throw streamFailure(http, err);
    }
    return { text, usage };
  }

  private http(request: LlmRequest, signal: AbortSignal, stream: boolean): ProviderHttpOptions {
    const model = encodeURIComponent(this.model);
    return {
      provider: this.name,
      url: `${this.baseUrl}/v1beta/models/${model}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
      headers: { 'x-goog-api-key': this.apiKey },
      timeoutMs: this.timeoutMs,
      signal,
      body: {
        systemInstruction: { parts: [{ text: request.system }] },
        contents: request.messages.map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] })),
        generationConfig: { maxOutputTokens: request.maxTokens, temperature: request.temperature },
      },
    };
  }
}
