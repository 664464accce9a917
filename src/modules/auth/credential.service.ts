import { Injectable } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { authenticationError, DomainError } from '../../common/domain-error';
import { TenantsService } from '../tenants/tenants.service';
import { AccountTokenService } from './account-token.service';
import { looksLikeApiKey } from './api-key-format';
import { ApiKeyService } from './api-key.service';
import { EndUserPrincipal, Principal } from './principal';

type Headers = Record<string, string | string[] | undefined>;

/**
 * End-user tokens are verified on every connection; the tenant's jwtSecret is kept this long per
 * process so connection bursts do not each hit the database (a rotation applies within it).
 */
const TENANT_CACHE_TTL_MS = 5_000;
const TENANT_CACHE_MAX = 10_000;

interface CachedTenant {
  at: number;
  value: { id: string; enabled: boolean; jwtSecret: string } | null;
}

const header = (headers: Headers, name: string): string | undefined => {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * The one place that turns a presented credential into a Principal: account JWTs, API keys, and
 * end-user JWTs signed with a tenant's jwtSecret. HTTP guards and WebSocket handshakes both use it.
 */
@Injectable()
export class CredentialService {
  private readonly tenantCache = new Map<string, CachedTenant>();

  constructor(
    private readonly accountTokens: AccountTokenService,
    private readonly apiKeys: ApiKeyService,
    private readonly tenants: TenantsService,
  ) {}

  /**
   * From HTTP headers: `X-API-Key`, or `Authorization: Bearer <api key | account JWT>`, or a tenant
   * end-user JWT as the bearer token with the tenant's public key in `X-Tenant-Key` (or `x-hash`).
   */
  fromHeaders(headers: Headers): Promise<Principal> {
    const apiKey = header(headers, 'x-api-key');
    if (apiKey) return this.apiKeys.authenticate(apiKey.trim());
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header(headers, 'authorization') ?? '')?.[1];
    if (!bearer) {
      return Promise.reject(authenticationError('Missing credentials: send Authorization: Bearer <token> or X-API-Key'));
    }
    const tenantKey = header(headers, 'x-tenant-key') ?? header(headers, 'x-hash');
    return this.fromToken(bearer, tenantKey);
  }

  /** From a bare token (WebSocket `?token=`): an API key or an account JWT; with a tenant key, an end-user JWT. */
  async fromToken(token: string, tenantKey?: string): Promise<Principal> {
    if (looksLikeApiKey(token)) return this.apiKeys.authenticate(token);
    if (tenantKey) return this.endUser(tenantKey, token);
    return { kind: 'account', accountId: this.accountTokens.verify(token) };
  }

  /** Verifies an end-user JWT against the tenant's jwtSecret; `sub` becomes the user id. */
  async endUser(tenantKey: string, token: string): Promise<EndUserPrincipal> {
    const tenant = await this.tenantByKey(tenantKey);
    if (!tenant) throw authenticationError('Unknown tenant key');
    if (!tenant.enabled) throw new DomainError('AUTHORIZATION_ERROR', 'Tenant is disabled');
    let claims: jwt.JwtPayload;
    try {
      claims = jwt.verify(token, tenant.jwtSecret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    } catch (e) {
      throw authenticationError(e instanceof jwt.TokenExpiredError ? 'Token expired' : 'Invalid token');
    }
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > 128) {
      throw authenticationError('Token has no valid sub (user id)');
    }
    const channels = Array.isArray(claims.channels) ? claims.channels.filter((c): c is string => typeof c === 'string') : [];
    return { kind: 'endUser', tenantId: tenant.id, userId: claims.sub, channels, claims };
  }

  private async tenantByKey(key: string): Promise<CachedTenant['value']> {
    const now = Date.now();
    const hit = this.tenantCache.get(key);
    if (hit && now - hit.at < TENANT_CACHE_TTL_MS) return hit.value;
    const credentials = /^[A-Za-z0-9_-]{1,64}$/.test(key) ? await this.tenants.credentialsByKey(key) : null;
    const value = credentials && { id: credentials.tenant.id, enabled: credentials.tenant.enabled, jwtSecret: credentials.jwtSecret };
    if (this.tenantCache.size >= TENANT_CACHE_MAX) this.tenantCache.clear();
    this.tenantCache.set(key, { at: now, value });
    return value;
  }
}
