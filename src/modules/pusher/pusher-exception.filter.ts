import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../../common/domain-error';
import { PusherHttpError } from './pusher-http.error';

/** What the Pusher REST API answers for an error: status, extra headers and body. */
export interface PusherErrorReply {
  status: number;
  headers: Record<string, string>;
  body: { error: string; code: number; requestId?: string };
}

const logger = new Logger('PusherRest');

/**
 * The Pusher REST API answers errors as `{"error": "...", "code": <status>}` (the SDKs read only the
 * status), not in the `/api` envelope. Anything unrecognised is logged with the request id and
 * answered as an opaque 500 carrying it. Shared by PusherExceptionFilter and the lean trigger route.
 */
export function pusherErrorReply(exception: unknown, req: { id?: string; method: string; path: string }): PusherErrorReply {
  let status = 500;
  let message = 'Internal server error';
  let headers: Record<string, string> = {};
  if (exception instanceof PusherHttpError) {
    status = exception.status;
    message = exception.message;
    headers = exception.headers;
  } else if (exception instanceof DomainError) {
    status = exception.status;
    message = exception.message;
    if (exception.retryAfterSeconds !== undefined) headers = { 'Retry-After': String(exception.retryAfterSeconds) };
  } else if (exception instanceof HttpException) {
    status = exception.getStatus();
    message = exception.message;
  } else {
    logger.error({ err: exception, requestId: req.id }, `Unhandled error on ${req.method} ${req.path}`);
  }
  if (status >= 500) status = 500;
  return { status, headers, body: status === 500 ? { error: message, code: 500, requestId: req.id } : { error: message, code: status } };
}

@Catch()
export class PusherExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request & { id?: string }>();
    const res = host.switchToHttp().getResponse<Response>();
    const reply = pusherErrorReply(exception, req);
    for (const [k, v] of Object.entries(reply.headers)) res.setHeader(k, v);
    if (res.headersSent) return;
    res.status(reply.status).json(reply.body);
  }
}
