import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { REDIS } from '../../infra/redis/redis.token';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { FlapSuppressor, LocalFlapStore, RedisFlapStore } from './flap-suppressor';
import { WebhookBatcher } from './webhook-batcher';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookEndpointDirectory } from './webhook-endpoint.directory';
import { endpointWants, WEBHOOK_EVENT_NAMES, WebhookEvent } from './webhook-event';

/** "Gone" transitions that wait out the flap window, and the "back" transitions that cancel them. */
const HELD = new Set(['channel_vacated', 'member_removed']);
const CANCELS = new Set(['channel_occupied', 'member_added']);
const KNOWN = new Set<string>(WEBHOOK_EVENT_NAMES);
const DONE: Promise<void> = Promise.resolve();

/** The flap key of an occupancy or membership transition: tenant + channel (+ user for members). */
export function flapKey(tenantId: string, e: WebhookEvent): string | null {
  if (!e.channel) return null;
  if (e.name === 'channel_vacated' || e.name === 'channel_occupied') return `c:${tenantId}:${e.channel}`;
  if ((e.name === 'member_removed' || e.name === 'member_added') && e.userId !== undefined) return `m:${tenantId}:${e.channel}:${e.userId}`;
  return null;
}

/**
 * The one entry point for producers of webhook events (the realtime hub, chat, notifications).
 * `emit` never throws and never runs inside the caller's transaction: it logs and enqueues
 * deliveries itself, after the caller's work is committed.
 */
@Injectable()
export class WebhookDispatcher implements BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private readonly flap: FlapSuppressor;
  private readonly batcher: WebhookBatcher<{ endpoint: WebhookEndpoint; event: WebhookEvent }>;
  private readonly inFlight = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly directory: WebhookEndpointDirectory,
    private readonly deliveries: WebhookDeliveryService,
    @Inject(REDIS) redis: Redis | null,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const store = redis ? new RedisFlapStore(redis, `${config.redis.keyPrefix}:webhooks:flap:`) : new LocalFlapStore();
    this.flap = new FlapSuppressor(store, config.webhooks.flapSuppressMs, (e) => this.logger.error({ err: e }, 'Releasing a held webhook event failed'));
    this.batcher = new WebhookBatcher(config.webhooks.batchWindowMs, config.webhooks.batchMaxEvents, (_key, items) =>
      this.deliver(items[items.length - 1].endpoint, items.map((i) => i.event)),
    );
  }

  /**
   * Hands an event to every active endpoint of the tenant that subscribes to it (event name and
   * channelPrefix). channel_vacated / member_removed are held for WEBHOOK_FLAP_SUPPRESS_MS and
   * dropped, together with the channel_occupied / member_added that cancels them, when the channel
   * or member comes back in that time (cluster-wide with Redis). Resolves once the deliveries are
   * logged and enqueued (or held / batched); callers on a hot path need not await it.
   */
  emit(tenantId: string, event: WebhookEvent): Promise<void> {
    // Hot paths (every chat message) of a tenant that no endpoint listens to for this event: known
    // from the cached endpoint list, without a promise chain. Flap transitions always go the full
    // way, since a "back" event cancels a held "gone" one whoever wants the "back" event.
    if (KNOWN.has(event.name) && !HELD.has(event.name) && !CANCELS.has(event.name)) {
      const endpoints = this.directory.cached(tenantId);
      if (endpoints !== undefined && !endpoints.some((ep) => endpointWants(ep, event))) return DONE;
    }
    const p: Promise<void> = this.dispatch(tenantId, event).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    return p;
  }

  /**
   * Held events, open batches and emits still being logged go out before the database and queues
   * close. Runs after the realtime layer's own shutdown when RealtimeModule imports this module
   * (Nest runs this hook nearest-the-root first). Events emitted after this point are not held.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flap.drain();
    this.closing = true;
    await this.flap.flushNow();
    await Promise.all([...this.inFlight]);
    await this.batcher.flushAll();
  }

  private async dispatch(tenantId: string, event: WebhookEvent): Promise<void> {
    try {
      if (!KNOWN.has(event.name)) throw new Error(`Unknown webhook event "${event.name}"`);
      const e: WebhookEvent = { ...event, timeMs: event.timeMs ?? Date.now() };
      const key = flapKey(tenantId, e);
      if (key && HELD.has(e.name) && !this.closing) return await this.flap.hold(key, () => this.route(tenantId, e));
      if (key && CANCELS.has(e.name) && (await this.flap.back(key))) return;
      await this.route(tenantId, e);
    } catch (err) {
      this.logger.error({ err, tenantId, event: event.name }, 'Could not dispatch a webhook event');
    }
  }

  private async route(tenantId: string, e: WebhookEvent): Promise<void> {
    const endpoints = (await this.directory.active(tenantId)).filter((ep) => endpointWants(ep, e));
    await Promise.all(
      endpoints.map((ep) => (ep.batch ? this.batcher.add(ep.id, { endpoint: ep, event: e }) : this.deliver(ep, [e]))),
    );
  }

  private async deliver(endpoint: WebhookEndpoint, events: WebhookEvent[]): Promise<void> {
    try {
      await this.deliveries.create(endpoint, events);
    } catch (err) {
      this.logger.error({ err, endpointId: endpoint.id }, 'Could not log a webhook delivery');
    }
  }
}
