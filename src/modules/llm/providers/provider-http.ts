import { LlmProviderError } from '../llm-provider.error';

export interface ProviderHttpOptions {
  provider: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
  signal: AbortSignal;
  /** Set by postJson: the request's own time limit, to tell a timeout from a failure mid-stream. */
  timeout?: AbortSignal;
}

/**
 * POSTs JSON to a vendor and returns the response once its status is known (body unread), or throws
 * LlmProviderError. The request stops when the caller's signal aborts or the timeout passes; the
 * timeout covers the whole exchange, the streamed body included, because the body is read under the
 * same signal.
 */
export async function postJson(o: ProviderHttpOptions): Promise<Response> {
  const timeout = AbortSignal.timeout(o.timeoutMs);
  o.timeout = timeout;
  const signal = AbortSignal.any([o.signal, timeout]);
  let res: Response;
  try {
    res = await fetch(o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...o.headers },
      body: JSON.stringify(o.body),
      signal,
    });
  } catch (err) {
    throw failure(o, err, timeout);
  }
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    throw new LlmProviderError(o.provider, `${o.provider} answered HTTP ${res.status}: ${errorText(text)}`, res.status, retryAfterMs(res.headers.get('retry-after')));
  }
  return res;
}

/** Reads a JSON body; failures while reading (abort, timeout) become LlmProviderError. */
export async function readJson<T>(o: ProviderHttpOptions, res: Response): Promise<T> {
  try {
    return (await res.json()) as T;
  } catch (err) {
    if (o.signal.aborted) throw err;
    if (o.timeout?.aborted) throw streamFailure(o, err);
    throw new LlmProviderError(o.provider, `${o.provider} sent an unreadable answer`, null, null, 'protocol');
  }
}

/** Turns a streaming read failure into LlmProviderError (unless the caller itself aborted). */
export function streamFailure(o: ProviderHttpOptions, err: unknown): unknown {
  if (o.signal.aborted || err instanceof LlmProviderError) return err;
  if (o.timeout?.aborted) return new LlmProviderError(o.provider, `${o.provider} did not finish within ${o.timeoutMs} ms`, null, null, 'timeout');
  return new LlmProviderError(o.provider, `${o.provider} stream failed: ${(err as Error).message}`, null, null, 'network');
}

function failure(o: ProviderHttpOptions, err: unknown, timeout: AbortSignal): unknown {
  if (o.signal.aborted) return err;
  if (timeout.aborted) return new LlmProviderError(o.provider, `${o.provider} did not answer within ${o.timeoutMs} ms`, null, null, 'timeout');
  return new LlmProviderError(o.provider, `${o.provider} unreachable: ${(err as Error).message}`, null, null, 'network');
}

function errorText(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string };
    const e = body.error;
    return (typeof e === 'string' ? e : e?.message) ?? body.message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

export function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}
