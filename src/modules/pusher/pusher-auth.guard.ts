import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingHttpHeaders } from 'node:http';
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

/** What authentication reads of a `/apps/:appId/...` request. */
export interface PusherAuthInput {
  /** The `:appId` route parameter. */
  appId: string;
  method: string;
  /** The request target as received (path and query), e.g. `/apps/3/events?auth_key=...`. */
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer | undefined;
}

/**
 * Authenticates `/apps/:appId/...` the two ways seed 000 and the Pusher SDKs do: a request signed
 * with the tenant secret (auth_key, auth_timestamp, auth_version, body_md5, auth_signature), or
 * `Authorization: Bearer <master key>` — an API key bound to this tenant with the route's scope.
 * Returns the tenant; throws PusherHttpError. PusherAuthGuard and the lean trigger route both call it.
 */
export async function authenticatePusherRequest(
  contexts: TenantContextService,
  credentials: CredentialService,
  req: PusherAuthInput,
  scope: Scope,
): Promise<TenantContext> {
  const tenant = await contexts.byAppId(req.appId);
  if (!tenant) throw new PusherHttpError(404, `Unknown app: ${req.appId}`);
  if (!tenant.enabled) throw new PusherHttpError(403, 'App is disabled');
  if (/^Bearer\s/i.test(req.headers.authorization ?? '')) await checkMasterKey(credentials, req, tenant, scope);
  else checkSignature(req, tenant);
  return tenant;
}

async function checkMasterKey(credentials: CredentialService, req: PusherAuthInput, tenant: TenantContext, scope: Scope): Promise<void> {
  let principal;
  try {
    principal = await credentials.fromHeaders(req.headers as Record<string, string>);
  } catch (e) {
    throw new PusherHttpError(401, e instanceof DomainError ? e.message : 'Invalid credentials');
  }
  if (principal.kind !== 'apiKey' || principal.tenantId !== tenant.id) {
    throw new PusherHttpError(401, 'The Bearer token must be an API key bound to this app');
  }
  if (!hasScope(principal.scopes, scope)) throw new PusherHttpError(403, `Insufficient permissions: requires scope ${scope}`);
}

function checkSignature(req: PusherAuthInput, tenant: TenantContext): void {
  const { pathname, searchParams } = parseRequestTarget(req.url);
  const query: Record<string, string> = {};
  for (const [k, v] of searchParams) {
    if (k in query) throw new PusherHttpError(400, `Query parameter ${k} given twice`);
    query[k] = v;
  }
  const check = verifyPusherRequest({ method: req.method, path: pathname, query, rawBody: req.rawBody }, tenant.key, tenant.secret);
  if (!check.ok) throw new PusherHttpError(401, check.reason);
}

/** A path the URL parser leaves as it is: no dot segments, escapes, backslashes or leading `//`. */
const PLAIN_PATH = /^\/(?!\/)[A-Za-z0-9_\-/]*$/;
/** What the URL parser would strip, end the query at, or percent-encode differently. */
const SPECIAL = /[\x00-\x20#]/;

/**
 * The path and query parameters of a request target, as `new URL(target, base)` gives them. The
 * common target (a plain path, a query without spaces, controls or `#`) is split directly, which
 * reads the same parameters at a fraction of the cost; anything else goes through the URL parser.
 */
export function parseRequestTarget(target: string): { pathname: string; searchParams: URLSearchParams } {
  const q = target.indexOf('?');
  const pathname = q === -1 ? target : target.slice(0, q);
  if (PLAIN_PATH.test(pathname) && !SPECIAL.test(target)) {
    return { pathname, searchParams: new URLSearchParams(q === -1 ? '' : target.slice(q + 1)) };
  }
  return new URL(target, 'http://relaybase.invalid');
}

/** The Nest side of authenticatePusherRequest: the route's scope from @PusherScope, the tenant onto the request. */
@Injectable()
export class PusherAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly contexts: TenantContextService,
    private readonly credentials: CredentialService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PusherRequest>();
    const scope = this.reflector.get<Scope>(PUSHER_SCOPE, context.getHandler());
    req.pusherTenant = await authenticatePusherRequest(
      this.contexts,
      this.credentials,
      { appId: String(req.params.appId), method: req.method, url: req.originalUrl, headers: req.headers, rawBody: req.rawBody },
      scope,
    );
    return true;
  }
}
