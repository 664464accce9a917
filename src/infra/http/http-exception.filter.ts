import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, ErrorCode } from '../../common/domain-error';

interface MappedError {
  status: number;
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
  retryAfterSeconds?: number;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_ERROR',
  401: 'AUTHENTICATION_ERROR',
  403: 'AUTHORIZATION_ERROR',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMIT_EXCEEDED',
};

/** Errors raised by Express's body parser before any handler runs. */
interface BodyParserError {
  type: string;
  status?: number;
}

function isBodyParserError(e: unknown): e is BodyParserError {
  return typeof e === 'object' && e !== null && typeof (e as BodyParserError).type === 'string' && 'status' in e;
}

/** What the `/api` envelope answers for an error: status, extra headers and body. */
export interface HttpErrorReply {
  status: number;
  headers: Record<string, string>;
  body: { success: false; data: null; error: Record<string, unknown> };
  /** Not recognised: a 500 that the caller logs with the request id. */
  unhandled: boolean;
}

/**
 * The `/api` envelope for any error, as HttpExceptionFilter answers it; also used by the lean Pusher
 * trigger route for the errors that arise before the Pusher filter applies (unreadable bodies).
 */
export function httpErrorReply(exception: unknown, requestId: string | undefined): HttpErrorReply {
  const mapped = mapError(exception);
  return {
    status: mapped.status,
    headers: mapped.retryAfterSeconds !== undefined ? { 'Retry-After': String(mapped.retryAfterSeconds) } : {},
    body: {
      success: false,
      data: null,
      error: {
        code: mapped.code,
        message: mapped.message,
        ...(mapped.details ? { details: mapped.details } : {}),
        ...(mapped.status >= 500 ? { requestId } : {}),
      },
    },
    unhandled: mapped.status >= 500,
  };
}

/**
 * Turns every error into the `/api` envelope, once, for the whole HTTP transport. Anything not
 * recognised is an opaque 500 carrying the request id that the log line also carries.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request & { id?: string }>();
    const res = ctx.getResponse<Response>();
    const reply = httpErrorReply(exception, req.id);
    if (reply.unhandled) {
      this.logger.error({ err: exception, requestId: req.id }, `Unhandled error on ${req.method} ${req.path}`);
    }
    if (res.headersSent) return;
    for (const [k, v] of Object.entries(reply.headers)) res.setHeader(k, v);
    res.status(reply.status).json(reply.body);
  }
}

function mapError(exception: unknown): MappedError {
  if (exception instanceof DomainError) {
    return {
      status: exception.status,
      code: exception.code,
      message: exception.message,
      details: exception.details,
      retryAfterSeconds: exception.retryAfterSeconds,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const raw = typeof body === 'string' ? body : (body as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : exception.message;
    return status >= 500
      ? { status: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' }
      : { status, code: CODE_BY_STATUS[status] ?? 'VALIDATION_ERROR', message };
  }
  if (isBodyParserError(exception)) {
    if (exception.type === 'entity.too.large') {
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body exceeds the size limit' };
    }
    if (exception.type === 'entity.parse.failed') {
      return { status: 400, code: 'VALIDATION_ERROR', message: 'Malformed JSON in request body' };
    }
    if (exception.status && exception.status < 500) {
      return { status: exception.status, code: CODE_BY_STATUS[exception.status] ?? 'VALIDATION_ERROR', message: 'Unreadable request body' };
    }
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL_ERROR', message: 'Internal server error' };
}
