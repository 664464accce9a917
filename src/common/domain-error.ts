/** The error codes of the `/api` envelope (DESIGN.md, "Conventions"), each with its HTTP status. */
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  AUTHENTICATION_ERROR: 401,
  AUTHORIZATION_ERROR: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  QUOTA_EXCEEDED: 429,
  RATE_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * What services throw. Each transport maps it once: the HTTP filter to the envelope, the WebSocket
 * dialects to their own error frames.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Seconds a client should wait before retrying (sent as Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string) => new DomainError('CONFLICT', message);
export const validationError = (message: string, details?: Record<string, unknown>) =>
  new DomainError('VALIDATION_ERROR', message, details);
export const authenticationError = (message = 'Authentication required') =>
  new DomainError('AUTHENTICATION_ERROR', message);
export const authorizationError = (message = 'Insufficient permissions') =>
  new DomainError('AUTHORIZATION_ERROR', message);
