import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';

const MAX_CACHED_TENANTS = 10_000;

/** A tenant's endpoints as loaded at `at`; `loaded` once the query has answered. */
interface CacheEntry {
  at: number;
  endpoints: Promise<WebhookEndpoint[]>;
  loaded?: WebhookEndpoint[];
}

/**
 * A tenant's active endpoints, cached for WEBHOOK_ENDPOINT_CACHE_MS so busy channels do not cost
 * a query per event. Changes made through this instance take effect at once; changes made on
 * another instance within that time.
 */
@Injectable()
export class WebhookEndpointDirectory {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  active(tenantId: string): Promise<WebhookEndpoint[]> {
    const hit = this.fresh(tenantId);
    if (hit) return hit.endpoints;
    const endpoints = this.endpoints.listActive(tenantId);
    if (this.config.webhooks.endpointCacheMs > 0) {
      if (this.cache.size >= MAX_CACHED_TENANTS) this.cache.clear();
      const entry: CacheEntry = { at: Date.now(), endpoints };
      this.cache.set(tenantId, entry);
      endpoints.then(
        (list) => (entry.loaded = list),
        () => this.cache.get(tenantId) === entry && this.cache.delete(tenantId),
      );
    }
    return endpoints;
  }

  /**
   * The same list without waiting, when it is cached, loaded and fresh; undefined otherwise (then
   * `active` loads it).
   */
  cached(tenantId: string): WebhookEndpoint[] | undefined {
    return this.fresh(tenantId)?.loaded;
  }

  private fresh(tenantId: string): CacheEntry | undefined {
    const hit = this.cache.get(tenantId);
    return hit && Date.now() - hit.at < this.config.webhooks.endpointCacheMs ? hit : undefined;
  }

  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }
}
