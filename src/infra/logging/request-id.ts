import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * The request id: X-Request-Id when the client sent a sane one, a fresh UUID otherwise; echoed in
 * the response's X-Request-Id. pino-http and the lean Pusher trigger route both take it from here.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const id = requestIdOf(req);
  res.setHeader('X-Request-Id', id);
  return id;
}

/** The request id alone, for a caller that writes the X-Request-Id header itself. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}
