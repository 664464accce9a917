import { DomainError } from '../../../common/domain-error';

export type NativeErrorCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'subscription_failed'
  | 'message_too_large'
  | 'rate_limited'
  | 'quota_exceeded'
  | 'internal_error';

/** DomainError -> native error code, once for the transport (seed 004's codes plus two limits). */
export function nativeErrorCode(e: unknown, subscribing: boolean): NativeErrorCode {
  if (!(e instanceof DomainError)) return 'internal_error';
  switch (e.code) {
    case 'VALIDATION_ERROR':
      return 'invalid_request';
    case 'AUTHENTICATION_ERROR':
    case 'AUTHORIZATION_ERROR':
      return 'unauthorized';
    case 'PAYLOAD_TOO_LARGE':
      return 'message_too_large';
    case 'RATE_LIMIT_EXCEEDED':
      return 'rate_limited';
    case 'QUOTA_EXCEEDED':
      // A subscription over the channel limit is a failed subscription; otherwise (LLM tokens) a quota.
      return subscribing ? 'subscription_failed' : 'quota_exceeded';
    case 'INTERNAL_ERROR':
      return 'internal_error';
    default:
      return subscribing ? 'subscription_failed' : 'invalid_request';
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof DomainError ? e.message : 'Internal server error';
}
