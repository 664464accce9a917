import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { from, Observable, switchMap } from 'rxjs';
import { DomainError, validationError } from '../../common/domain-error';
import { RateLimiter, RateLimitResult } from '../../infra/rate-limit/rate-limiter';
import { isValidUserId } from '../../realtime/access/channel-name';
import { identityOf } from '../../realtime/access/realtime-identity';
import { TenantContextService } from '../../realtime/tenants/tenant-context.service';
import type { Principal } from '../auth/principal';
import type { ChatActor } from './chat-actor';

export type ChatRequest = Request & { principal: Principal; chatActor?: ChatActor };

/**
 * Runs after the auth guard on every chat route: resolves the ChatActor (tenant and user), then
 * counts the request against the tenant's `apiRequestsPerSecond` across instances, answering
 * `X-RateLimit-Limit` / `X-RateLimit-Remaining` and, past the limit, 429 RATE_LIMIT_EXCEEDED.
 */
@Injectable()
export class ChatApiInterceptor implements NestInterceptor {
  private readonly logger = new Logger('ChatApiInterceptor');

  constructor(
    private readonly tenantContexts: TenantContextService,
    private readonly limiter: RateLimiter,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<ChatRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    return from(this.admit(req, res)).pipe(switchMap(() => next.handle()));
  }

  private async admit(req: ChatRequest, res: Response): Promise<void> {
    const actor = await this.actor(req);
    const limit = actor.tenant.limits.apiRequestsPerSecond;
    const result = await this.consume(actor.tenant.id, limit);
    res.setHeader('X-RateLimit-Limit', String(limit));
    res.setHeader('X-RateLimit-Remaining', String(result.remaining));
    if (!result.allowed) {
      throw new DomainError('RATE_LIMIT_EXCEEDED', `Rate limit exceeded: at most ${limit} requests per second`, undefined, result.retryAfterSeconds);
    }
    req.chatActor = actor;
  }

  private async actor(req: ChatRequest): Promise<ChatActor> {
    const principal = req.principal;
    const tenantRef = typeof req.query?.tenant === 'string' ? req.query.tenant : undefined;
    const tenant = await this.tenantContexts.forPrincipal(principal, tenantRef);
    if (!tenant) throw validationError('Name the tenant: ?tenant=<tenant id, appId or key> (or use an API key bound to a tenant)');
    let userId: string | null = null;
    if (principal.kind === 'endUser') {
      userId = principal.userId;
    } else {
      const header = req.headers['x-user-id'];
      const value = Array.isArray(header) ? header[0] : header;
      if (value !== undefined) {
        if (!isValidUserId(value)) throw validationError('X-User-Id must be 1-128 characters without control characters');
        userId = value;
      }
    }
    return { tenant, userId, identity: identityOf(principal) };
  }

  /** A limiter outage must not take the chat API down: the request then goes through uncounted. */
  private async consume(tenantId: string, perSecond: number): Promise<RateLimitResult> {
    try {
      return await this.limiter.consume(tenantId, { name: 'chat-api', perSecond }, 1);
    } catch (e) {
      this.logger.warn(`Rate limiter unavailable: ${(e as Error).message}`);
      return { allowed: true, limit: perSecond, remaining: perSecond, retryAfterSeconds: 0 };
    }
  }
}
