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
import { PLAIN_PATH, PLAIN_QUERY, verifyCanonicalPusherRequest, verifyPusherRequest } from './pusher-request-signature';

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
  return authenticatePusherRequestNow(contexts, credentials, req, scope);
}

/**
 * authenticatePusherRequest() without a promise for a signed request of a cached tenant (the lean
 * route's common case); a promise when the tenant has to be loaded or a master key checked.
 */
export function authenticatePusherRequestNow(
  contexts: TenantContextService,
  credentials: CredentialService,
  req: PusherAuthInput,
  scope: Scope,
): TenantContext | Promise<TenantContext> {
  const found = contexts.byAppIdNow(req.appId);
  if (found instanceof Promise) return found.then((tenant) => authenticateTenant(credentials, req, scope, tenant));
  return authenticateTenant(credentials, req, scope, found);
}

function authenticateTenant(credentials: CredentialService, req: PusherAuthInput, scope: Scope, tenant: TenantContext | null): TenantContext | Promise<TenantContext> {
  if (!tenant) throw new PusherHttpError(404, `Unknown app: ${req.appId}`);
  if (!tenant.enabled) throw new PusherHttpError(403, 'App is disabled');
  const authorization = req.headers.authorization;
  if (authorization !== undefined && BEARER.test(authorization)) return checkMasterKey(credentials, req, tenant, scope).then(() => tenant);
  checkSignature(req, tenant);
  return tenant;
}

const BEARER = /^Bearer\s/i;

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
  // The SDKs' spelling of a valid request in one pass; anything else (or a failure, for its exact error) the general way.
  if (verifyCanonicalPusherRequest(req.method, req.url, req.rawBody, tenant.key, tenant.secret)) return;
  const { pathname, query } = parseRequestQuery(req.url);
  const check = verifyPusherRequest({ method: req.method, path: pathname, query, rawBody: req.rawBody }, tenant.key, tenant.secret);
  if (!check.ok) throw new PusherHttpError(401, check.reason);
}

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

/**
 * The path and the query parameters (one value per name; a name given twice is refused with 400),
 * as parseRequestTarget reads them. A plain target is split in place, without URLSearchParams.
 */
export function parseRequestQuery(target: string): { pathname: string; query: Record<string, string> } {
  const q = target.indexOf('?');
  const pathname = q === -1 ? target : target.slice(0, q);
  const search = q === -1 ? '' : target.slice(q + 1);
  // No prototype: a parameter named like an Object method is an ordinary parameter.
  const query = Object.create(null) as Record<string, string>;
  if (PLAIN_PATH.test(pathname) && PLAIN_QUERY.test(search)) {
    for (let start = 0; start < search.length; ) {
      let end = search.indexOf('&', start);
      if (end === -1) end = search.length;
      if (end > start) {
        const eq = search.indexOf('=', start);
        const named = eq !== -1 && eq < end;
        addParam(query, search.slice(start, named ? eq : end), named ? search.slice(eq + 1, end) : '');
      }
      start = end + 1;
    }
    return { pathname, query };
  }
  const parsed = parseRequestTarget(target);
  for (const [k, v] of parsed.searchParams) addParam(query, k, v);
  return { pathname: parsed.pathname, query };
}

function addParam(query: Record<string, string>, key: string, value: string): void {
  if (query[key] !== undefined) throw new PusherHttpError(400, `Query parameter ${key} given twice`);
  query[key] = value;
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
