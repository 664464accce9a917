import type * as AnthropicModule from '@anthropic-ai/sdk';
import type * as OpenAiModule from 'openai';
import { LlmProviderError } from '../llm-provider.error';
import { retryAfterMs } from './provider-http';
import { anthropicSdk, openAiSdk } from './sdk-modules';

type SdkApiError = OpenAiModule.APIError | AnthropicModule.APIError;

/**
 * Runs one vendor SDK call under REQUEST_TIMEOUT_MS and the caller's signal, and turns what the SDK
 * throws into LlmProviderError exactly as the fetch-based clients do. The time limit covers the whole
 * exchange, the streamed body included: the SDKs' own `timeout` stops at the response headers.
 *
 * When the caller aborts, its abort reason is thrown (not an LlmProviderError: the vendor did nothing
 * wrong). The SDKs end a stream quietly when its request is aborted, so an aborted or timed-out call is
 * checked after `run` too, and never passes for a complete answer.
 */
export async function callVendor<T>(provider: string, timeoutMs: number, signal: AbortSignal, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const timeout = AbortSignal.timeout(timeoutMs);
  let result: T;
  try {
    result = await run(AbortSignal.any([signal, timeout]));
  } catch (err) {
    throw signal.aborted ? abortReason(signal, err) : vendorError(provider, err, timeout.aborted, timeoutMs);
  }
  if (signal.aborted) throw abortReason(signal, null);
  if (timeout.aborted) throw timedOut(provider, timeoutMs);
  return result;
}

/** Maps an SDK (or other) failure to LlmProviderError; `deadlinePassed`: our time limit has passed. */
function vendorError(provider: string, err: unknown, deadlinePassed: boolean, timeoutMs: number): LlmProviderError {
  if (err instanceof LlmProviderError) return err;
  const OpenAiSdk = openAiSdk();
  const AnthropicSdk = anthropicSdk();
  if (deadlinePassed || err instanceof OpenAiSdk.APIConnectionTimeoutError || err instanceof AnthropicSdk.APIConnectionTimeoutError) {
    return timedOut(provider, timeoutMs);
  }
  if (err instanceof OpenAiSdk.APIConnectionError || err instanceof AnthropicSdk.APIConnectionError) {
    const cause = (err.cause as Error | undefined)?.message ?? err.message;
    return new LlmProviderError(provider, `${provider} unreachable: ${cause}`, null, null, 'network');
  }
  if (err instanceof OpenAiSdk.APIUserAbortError || err instanceof AnthropicSdk.APIUserAbortError) {
    return new LlmProviderError(provider, `${provider} request was aborted`, null, null, 'network');
  }
  if (err instanceof OpenAiSdk.APIError || err instanceof AnthropicSdk.APIError) {
    if (typeof err.status === 'number') {
      return new LlmProviderError(provider, `${provider} answered HTTP ${err.status}: ${detail(err)}`, err.status, retryAfter(err.headers));
    }
    // An `error` event inside a stream: the request was accepted, then the vendor gave up.
    const type = vendorErrorType(err);
    const busy = type === 'overloaded_error' || type === 'rate_limit_error' || type === 'rate_limit_exceeded';
    return new LlmProviderError(provider, `${provider} stream error: ${detail(err)}`, busy ? 429 : null, null, 'protocol');
  }
  if (err instanceof SyntaxError || err instanceof OpenAiSdk.OpenAIError || err instanceof AnthropicSdk.AnthropicError) {
    return new LlmProviderError(provider, `${provider} sent an unreadable answer: ${err.message}`, null, null, 'protocol');
  }
  return new LlmProviderError(provider, `${provider} stream failed: ${(err as Error)?.message ?? String(err)}`, null, null, 'network');
}

function timedOut(provider: string, timeoutMs: number): LlmProviderError {
  return new LlmProviderError(provider, `${provider} did not finish within ${timeoutMs} ms`, null, null, 'timeout');
}

/** What fetch would have thrown: the caller's own abort reason (a DOMException AbortError by default). */
function abortReason(signal: AbortSignal, err: unknown): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return err instanceof Error ? err : new DOMException('The operation was aborted.', 'AbortError');
}

/** The vendor's own message (`{error: {message}}` or `{message}`), else the SDK's. */
function detail(err: SdkApiError): string {
  const body = err.error as { message?: unknown; error?: { message?: unknown } } | undefined;
  const message = body?.error?.message ?? body?.message;
  return typeof message === 'string' ? message : err.message;
}

function vendorErrorType(err: SdkApiError): string | null {
  const body = err.error as { type?: unknown; error?: { type?: unknown } } | undefined;
  const type = (err as { type?: unknown }).type ?? body?.error?.type ?? body?.type;
  return typeof type === 'string' ? type : null;
}

/** `retry-after-ms` (OpenAI, Anthropic) when sent, else the standard Retry-After (seconds or a date). */
function retryAfter(headers: Headers | undefined): number | null {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  return retryAfterMs(headers?.get('retry-after') ?? null);
}
