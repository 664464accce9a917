import { Injectable } from '@nestjs/common';
import { authorizationError, DomainError, notFound } from '../../common/domain-error';
import type { Principal } from '../../modules/auth/principal';
import { effectiveLimits } from '../../modules/tenants/tenant-settings';
import { TenantsService } from '../../modules/tenants/tenants.service';
import type { TenantContext } from './tenant-context';

/**
 * Tenant contexts change rarely and are read on every connection and REST publish; a short cache
 * keeps connection bursts off the database. A change (plan, settings, disable, secret rotation)
 * takes effect for new connections within this time (plus one refresh query: see byIdNow).
 */
const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;

/** Public refs of one kind mapped to tenant ids for the life of the process, and the lookups in flight. */
interface PublicRefs {
  ids: Map<string, string>;
  resolving: Map<string, Promise<string | null>>;
}

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
  /** Public refs (key, appId) → tenant id, one map per kind so that a lookup builds no string. */
  private readonly idByKey: PublicRefs = { ids: new Map(), resolving: new Map() };
  private readonly idByAppId: PublicRefs = { ids: new Map(), resolving: new Map() };
  /** Queries in flight, shared by every caller that misses meanwhile. */
  private readonly loading = new Map<string, Promise<TenantContext | null>>();

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
  async byKey(key: string): Promise<TenantContext | null> {
    return this.byKeyNow(key);
  }

  /**
   * byKey() without a promise when the cache holds the tenant (the WebSocket connect path): a
   * connection burst costs no await and no query; on a miss, concurrent callers share one query.
   */
  byKeyNow(key: string): TenantContext | null | Promise<TenantContext | null> {
    return this.byPublicRef(this.idByKey, key, () => this.tenants.credentialsByKey(key));
  }

  /** The tenant with this appId (Pusher `/apps/:appId`), or null. */
  async byAppId(appId: string): Promise<TenantContext | null> {
    return this.byAppIdNow(appId);
  }

  /** byAppId() without a promise when the cache holds the tenant (the REST trigger path). */
  byAppIdNow(appId: string): TenantContext | null | Promise<TenantContext | null> {
    return this.byPublicRef(this.idByAppId, appId, () => this.tenants.credentialsByAppId(appId));
  }

  /** Public refs map to a tenant id for ever, so that lookup is kept for the life of the process. */
  private byPublicRef(
    refs: PublicRefs,
    ref: string,
    find: () => Promise<{ tenant: { id: string } } | null>,
  ): TenantContext | null | Promise<TenantContext | null> {
    const id = refs.ids.get(ref);
    if (id) return this.byIdNow(id);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(ref)) return null;
    let pending = refs.resolving.get(ref);
    if (!pending) {
      pending = find().then((found) => {
        if (!found) return null;
        if (refs.ids.size >= CACHE_MAX) refs.ids.clear();
        refs.ids.set(ref, found.tenant.id);
        return found.tenant.id;
      });
      refs.resolving.set(ref, pending);
      void pending.then(
        () => refs.resolving.delete(ref),
        () => refs.resolving.delete(ref),
      );
    }
    return pending.then((found) => (found ? this.byIdNow(found) : null));
  }

  async byId(id: string): Promise<TenantContext | null> {
    return this.byIdNow(id);
  }

  /**
   * The cached context while it is younger than CACHE_TTL_MS; up to twice that, the cached context
   * while one refresh runs in the background (a burst of connections at expiry does not wait, nor
   * query once each); older or absent, the (shared) query's result.
   */
  byIdNow(id: string): TenantContext | null | Promise<TenantContext | null> {
    const now = Date.now();
    const hit = this.cache.get(id);
    if (hit && now - hit.at < CACHE_TTL_MS) return hit.value;
    const loading = this.refresh(id);
    if (hit && now - hit.at < 2 * CACHE_TTL_MS) {
      loading.catch(() => undefined); // the next caller retries
      return hit.value;
    }
    return loading;
  }

  private refresh(id: string): Promise<TenantContext | null> {
    let pending = this.loading.get(id);
    if (pending) return pending;
    pending = this.tenants.credentialsById(id).then((credentials) => {
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
      this.cache.set(id, { at: Date.now(), value });
      return value;
    });
    this.loading.set(id, pending);
    void pending.then(
      () => this.loading.delete(id),
      () => this.loading.delete(id),
    );
    return pending;
  }
}
