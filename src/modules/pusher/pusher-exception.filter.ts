import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../../common/domain-error';
import { PusherHttpError } from './pusher-http.error';

/**
 * The Pusher REST API answers errors as `{"error": "...", "code": <status>}` (the SDKs read only the
 * status), not in the `/api` envelope.
 */
@Catch()
export class PusherExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('PusherRest');

  catch(exception: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request & { id?: string }>();
    const res = host.switchToHttp().getResponse<Response>();
    let status = 500;
    let message = 'Internal server error';
    if (exception instanceof PusherHttpError) {
      status = exception.status;
      message = exception.message;
      for (const [k, v] of Object.entries(exception.headers)) res.setHeader(k, v);
    } else if (exception instanceof DomainError) {
      status = exception.status;
      message = exception.message;
      if (exception.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(exception.retryAfterSeconds));
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      message = exception.message;
    } else {
      this.logger.error({ err: exception, requestId: req.id }, `Unhandled error on ${req.method} ${req.path}`);
    }
    if (status >= 500) status = 500;
    if (res.headersSent) return;
    res.status(status).json(status === 500 ? { error: message, code: 500, requestId: req.id } : { error: message, code: status });
  }
}
