import { Injectable } from '@nestjs/common';
import { authorizationError, DomainError, notFound } from '../../common/domain-error';
import type { Principal } from '../../modules/auth/principal';
import { effectiveLimits } from '../../modules/tenants/tenant-settings';
import { TenantsService } from '../../modules/tenants/tenants.service';
import type { TenantContext } from './tenant-context';

/**
 * Tenant contexts change rarely and are read on every connection and REST publish; a short cache
 * keeps connection bursts off the database. A change (plan, settings, disable, secret rotation)
 * takes effect for new connections within this time.
 */
const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;

/**
 * Which tenant a realtime caller acts on:
 * - an end user (tenant JWT): the tenant that signed the token;
 * - an API key bound to a tenant: that tenant (naming another one is refused);
 * - an account JWT or an unbound API key: the tenant named by `tenantRef` (id, appId or key) that the
 *   account owns, or none when nothing is named (the connection can then only do account-level things).
 */
@Injectable()
export class TenantContextService {
  private readonly cache = new Map<string, { at: number; value: TenantContext | null }>();
  private readonly idByPublicRef = new Map<string, string>();

  constructor(private readonly tenants: TenantsService) {}

  async forPrincipal(principal: Principal, tenantRef: string | undefined): Promise<TenantContext | null> {
    let tenantId: string | null;
    if (principal.kind === 'endUser') {
      tenantId = principal.tenantId;
    } else if (principal.kind === 'apiKey' && principal.tenantId) {
      tenantId = principal.tenantId;
      const bound = await this.byId(tenantId);
      if (tenantRef && bound && ![bound.id, bound.appId, bound.key].includes(tenantRef)) {
        throw authorizationError('This API key is bound to another tenant');
      }
    } else if (tenantRef) {
      tenantId = await this.tenants.findOwnedTenantId(principal.accountId, tenantRef);
      if (!tenantId) throw notFound('Tenant');
    } else {
      return null;
    }
    const tenant = await this.byId(tenantId);
    if (!tenant) throw notFound('Tenant');
    if (!tenant.enabled) throw new DomainError('AUTHORIZATION_ERROR', 'Tenant is disabled');
    return tenant;
  }

  /** The tenant with this public key (Pusher `/app/:key`), or null. */
  byKey(key: string): Promise<TenantContext | null> {
    return this.byPublicRef(`key:${key}`, key, () => this.tenants.credentialsByKey(key));
  }

  /** The tenant with this appId (Pusher `/apps/:appId`), or null. */
  byAppId(appId: string): Promise<TenantContext | null> {
    return this.byPublicRef(`app:${appId}`, appId, () => this.tenants.credentialsByAppId(appId));
  }

  /** Public refs map to a tenant id for ever, so that lookup is kept for the life of the process. */
  private async byPublicRef(cacheKey: string, ref: string, find: () => Promise<{ tenant: { id: string } } | null>): Promise<TenantContext | null> {
    let id = this.idByPublicRef.get(cacheKey);
    if (!id) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(ref)) return null;
      const found = await find();
      if (!found) return null;
      id = found.tenant.id;
      if (this.idByPublicRef.size >= CACHE_MAX) this.idByPublicRef.clear();
      this.idByPublicRef.set(cacheKey, id);
    }
    return this.byId(id);
  }

  async byId(id: string): Promise<TenantContext | null> {
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && now - hit.at < CACHE_TTL_MS) return hit.value;
    const credentials = await this.tenants.credentialsById(id);
    const value: TenantContext | null = credentials && {
      id: credentials.tenant.id,
      appId: credentials.tenant.appId,
      key: credentials.tenant.key,
      secret: credentials.secret,
      enabled: credentials.tenant.enabled,
      settings: credentials.tenant.settings ?? {},
      limits: effectiveLimits(credentials.tenant.plan, credentials.tenant.limits ?? {}),
    };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(id, { at: now, value });
    return value;
  }
}
