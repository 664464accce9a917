import { ArgumentsHost, NotFoundException } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { HttpExceptionFilter } from './http-exception.filter';

function run(exception: unknown) {
  const sent: { status?: number; body?: any; headers: Record<string, string> } = { headers: {} };
  const res = {
    headersSent: false,
    setHeader: (k: string, v: string) => (sent.headers[k] = v),
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
    },
  };
  const req = { id: 'req-123', method: 'GET', path: '/x' };
  const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost;
  new HttpExceptionFilter().catch(exception, host);
  return sent;
}

describe('HttpExceptionFilter', () => {
  it('maps domain errors to their code and status, with Retry-After', () => {
    const sent = run(new DomainError('RATE_LIMIT_EXCEEDED', 'slow down', undefined, 30));
    expect(sent.status).toBe(429);
    expect(sent.headers['Retry-After']).toBe('30');
    expect(sent.body).toEqual({ success: false, data: null, error: { code: 'RATE_LIMIT_EXCEEDED', message: 'slow down' } });
  });

  it('maps Nest HTTP exceptions by status', () => {
    expect(run(new NotFoundException('Cannot GET /x')).body.error).toEqual({ code: 'NOT_FOUND', message: 'Cannot GET /x' });
  });

  it('answers unknown errors with an opaque 500 that carries the request id', () => {
    const sent = run(new Error('connection string postgres://secret@db leaked'));
    expect(sent.status).toBe(500);
    expect(sent.body.error).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal server error', requestId: 'req-123' });
  });
});
