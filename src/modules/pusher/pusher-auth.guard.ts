import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { DomainError } from '../../common/domain-error';
import { TenantContextService } from '../../realtime/tenants/tenant-context.service';
import type { TenantContext } from '../../realtime/tenants/tenant-context';
import { CredentialService } from '../auth/credential.service';
import { hasScope, Scope } from '../auth/scopes';
import { PusherHttpError } from './pusher-http.error';
import { verifyPusherRequest } from './pusher-request-signature';

export const PUSHER_SCOPE = 'relaybase:pusher-scope';
/** The scope a master-key (Bearer) caller needs for this route; signed requests carry the tenant secret and may do everything. */
export const PusherScope = (scope: Scope) => SetMetadata(PUSHER_SCOPE, scope);

export type PusherRequest = Request & { rawBody?: Buffer; pusherTenant?: TenantContext };

/**
 * Authenticates `/apps/:appId/...` the two ways seed 000 and the Pusher SDKs do: a request signed
 * with the tenant secret (auth_key, auth_timestamp, auth_version, body_md5, auth_signature), or
 * `Authorization: Bearer <master key>` — an API key bound to this tenant with the route's scope.
 */
@Injectable()
export class PusherAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly contexts: TenantContextService,
    private readonly credentials: CredentialService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PusherRequest>();
    const tenant = await this.contexts.byAppId(String(req.params.appId));
    if (!tenant) throw new PusherHttpError(404, `Unknown app: ${String(req.params.appId)}`);
    if (!tenant.enabled) throw new PusherHttpError(403, 'App is disabled');
    const scope = this.reflector.get<Scope>(PUSHER_SCOPE, context.getHandler());
    if (/^Bearer\s/i.test(req.headers.authorization ?? '')) await this.checkMasterKey(req, tenant, scope);
    else this.checkSignature(req, tenant);
    req.pusherTenant = tenant;
    return true;
  }

  private async checkMasterKey(req: PusherRequest, tenant: TenantContext, scope: Scope): Promise<void> {
    let principal;
    try {
      principal = await this.credentials.fromHeaders(req.headers as Record<string, string>);
    } catch (e) {
      throw new PusherHttpError(401, e instanceof DomainError ? e.message : 'Invalid credentials');
    }
    if (principal.kind !== 'apiKey' || principal.tenantId !== tenant.id) {
      throw new PusherHttpError(401, 'The Bearer token must be an API key bound to this app');
    }
    if (!hasScope(principal.scopes, scope)) throw new PusherHttpError(403, `Insufficient permissions: requires scope ${scope}`);
  }

  private checkSignature(req: PusherRequest, tenant: TenantContext): void {
    const url = new URL(req.originalUrl, 'http://relaybase.invalid');
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) {
      if (k in query) throw new PusherHttpError(400, `Query parameter ${k} given twice`);
      query[k] = v;
    }
    const check = verifyPusherRequest({ method: req.method, path: url.pathname, query, rawBody: req.rawBody }, tenant.key, tenant.secret);
    if (!check.ok) throw new PusherHttpError(401, check.reason);
  }
}
