import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { REDIS } from '../../infra/redis/redis.token';

export interface CachedEvent {
  event: string;
  /** The event's data as JSON (what the hub carries). */
  dataJson: string;
}

/** Pusher keeps a cache channel's last event for up to 30 minutes. */
export const CACHE_TTL_MS = 30 * 60 * 1000;

/**
 * The last event published over REST on each cache channel (`cache-`, `private-cache-`, ...):
 * in Redis (shared by every instance) when configured, in process otherwise.
 */
@Injectable()
export class ChannelCacheService {
  private readonly local = new Map<string, { at: number; value: CachedEvent }>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async put(tenantId: string, channel: string, value: CachedEvent): Promise<void> {
    const key = this.key(tenantId, channel);
    if (this.redis) {
      await this.redis.set(key, JSON.stringify(value), 'PX', CACHE_TTL_MS);
      return;
    }
    this.local.set(key, { at: Date.now(), value });
    if (this.local.size > 100_000) this.sweep();
  }

  /** The cached event with its remaining lifetime in seconds, or null. */
  async get(tenantId: string, channel: string): Promise<(CachedEvent & { ttl: number }) | null> {
    const key = this.key(tenantId, channel);
    if (this.redis) {
      const [[, raw], [, pttl]] = (await this.redis.multi().get(key).pttl(key).exec()) as [[null, string | null], [null, number]];
      return raw ? { ...(JSON.parse(raw) as CachedEvent), ttl: Math.max(0, Math.ceil(pttl / 1000)) } : null;
    }
    const hit = this.local.get(key);
    const age = hit ? Date.now() - hit.at : Infinity;
    if (!hit || age >= CACHE_TTL_MS) return null;
    return { ...hit.value, ttl: Math.ceil((CACHE_TTL_MS - age) / 1000) };
  }

  private key(tenantId: string, channel: string): string {
    return `${this.config.redis.keyPrefix}:pusher:cache:${tenantId}:${channel}`;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [k, v] of this.local) if (now - v.at >= CACHE_TTL_MS) this.local.delete(k);
  }
}
