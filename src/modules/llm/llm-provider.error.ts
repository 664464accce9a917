/**
 * A provider call that failed: HTTP status from the vendor (429 rate limit, 5xx...), a timeout or a
 * network error (status null). `retryAfterMs` comes from the vendor's Retry-After when it sent one.
 */
export class LlmProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    readonly status: number | null,
    readonly retryAfterMs: number | null = null,
    readonly kind: 'http' | 'timeout' | 'network' | 'protocol' = 'http',
  ) {
    super(message);
    this.name = 'LlmProviderError';
  }
}
