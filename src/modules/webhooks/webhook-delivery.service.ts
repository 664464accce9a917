import { randomUUID } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Queue, UnrecoverableError } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { TenantsService } from '../tenants/tenants.service';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';
import { OutgoingEvent, toNativeEvent, toPusherEvent, WebhookEvent, WebhookFormat } from './webhook-event';
import { deliveryRetryDelayMs, mayRetry, maxAttempts, WEBHOOK_BACKOFF_TYPE, WebhookRetryPolicy } from './webhook-retry-policy';
import { WebhookAttemptResult, sendWebhook } from './webhook-sender';
import { signedHeaders } from './webhook-signature';
import { DELIVER_JOB, DeliverJobData, WEBHOOKS_QUEUE } from './webhooks.queue';

/** Why an attempt did not succeed; BullMQ retries the job when the processor throws it. */
export class WebhookAttemptFailedError extends Error {
  override name = 'WebhookAttemptFailedError';
}

export type AttemptOutcome = 'succeeded' | 'retrying' | 'dead' | 'skipped';

/**
 * The delivery log and the sending of it: creates a log row and then its job (job id = delivery
 * id), and runs one attempt for the processor. A row that reached `succeeded` or `dead` is never
 * sent again; only `redeliver` makes a new delivery of the same body.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger(WebhookDeliveryService.name);

  constructor(
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly tenants: TenantsService,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue<DeliverJobData>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  get retryPolicy(): WebhookRetryPolicy {
    const w = this.config.webhooks;
    return { baseDelayMs: w.retryBaseDelayMs, maxDelayMs: w.retryMaxDelayMs, jitter: w.retryJitter, windowMs: w.retryWindowMs };
  }

  /** Logs a delivery of these events to the endpoint, then enqueues it. Never call inside a transaction. */
  async create(endpoint: WebhookEndpoint, events: WebhookEvent[]): Promise<WebhookDelivery> {
    const id = randomUUID();
    const row = await this.deliveries.insert({
      id,
      tenantId: endpoint.tenantId,
      endpointId: endpoint.id,
      eventNames: events.map((e) => e.name),
      format: endpoint.format,
      body: buildBody(endpoint.format, id, events),
      redeliveryOf: null,
    });
    await this.enqueue(row.id);
    return row;
  }

  /** A new delivery with the body of an earlier one (its own id, so receivers that de-duplicate accept it). */
  async redeliver(original: WebhookDelivery): Promise<WebhookDelivery> {
    const body = await this.deliveries.bodyForTenant(original.tenantId, original.id);
    if (body === null) throw new Error(`Delivery ${original.id} has no body`);
    const id = randomUUID();
    const row = await this.deliveries.insert({
      id,
      tenantId: original.tenantId,
      endpointId: original.endpointId,
      eventNames: original.eventNames,
      format: original.format,
      body: original.format === 'native' ? JSON.stringify({ ...JSON.parse(body), deliveryId: id, redeliveryOf: original.id }) : body,
      redeliveryOf: original.id,
    });
    await this.enqueue(row.id);
    return row;
  }

  /**
   * Adds the delivery's job; a job with this id that already exists is left alone, so calling this
   * twice never sends twice. A failure is logged, not thrown: the row stays open and the boot
   * reconciliation enqueues it later.
   */
  async enqueue(deliveryId: string): Promise<void> {
    const retry = this.retryPolicy;
    try {
      await this.queue.add(
        DELIVER_JOB,
        { deliveryId, retry },
        {
          jobId: deliveryId,
          attempts: maxAttempts(retry),
          backoff: { type: WEBHOOK_BACKOFF_TYPE },
          removeOnComplete: { age: 3600, count: 1000 },
          removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
        },
      );
    } catch (e) {
      this.logger.error({ err: e, deliveryId }, 'Could not enqueue a webhook delivery; it will be re-enqueued on reconciliation');
    }
  }

  /** One attempt, for the processor. Throws to make BullMQ retry (or UnrecoverableError when dead). */
  async attempt(data: DeliverJobData, attemptsMade: number, lastAllowed: boolean): Promise<AttemptOutcome> {
    const delivery = await this.deliveries.findForWorker(data.deliveryId);
    // Deleted with its endpoint or tenant, or already final: nothing to send.
    if (!delivery || delivery.status === 'succeeded' || delivery.status === 'dead') return 'skipped';
    const endpoint = await this.endpoints.get(delivery.tenantId, delivery.endpointId);
    if (!endpoint) return 'skipped';
    if (!endpoint.active) {
      await this.deliveries.markDead(delivery.id, 'Endpoint is disabled');
      return 'dead';
    }
    const credentials = await this.tenants.credentialsById(delivery.tenantId);
    if (!credentials) return 'skipped';

    const startedAt = new Date();
    const result = await this.send(endpoint, delivery.id, delivery.body, credentials.tenant.key, credentials.secret);
    const base = { statusCode: result.statusCode, error: result.error, latencyMs: result.latencyMs, startedAt };
    if (result.ok) {
      await this.deliveries.recordAttempt(delivery.id, { ...base, status: 'succeeded', nextAttemptAt: null });
      return 'succeeded';
    }
    const firstAttemptAt = delivery.firstAttemptAt?.getTime() ?? startedAt.getTime();
    if (!lastAllowed && mayRetry(data.retry, firstAttemptAt, Date.now())) {
      const delay = deliveryRetryDelayMs(data.retry, delivery.id, attemptsMade + 1);
      await this.deliveries.recordAttempt(delivery.id, { ...base, status: 'failed', nextAttemptAt: new Date(Date.now() + delay) });
      throw new WebhookAttemptFailedError(result.error ?? 'Delivery failed');
    }
    await this.deliveries.recordAttempt(delivery.id, { ...base, status: 'dead', nextAttemptAt: null });
    throw new UnrecoverableError(`Retries exhausted: ${result.error ?? 'delivery failed'}`);
  }

  /** A signed ping to the endpoint, sent now and not retried (POST .../webhooks/:wid/test). */
  async ping(endpoint: WebhookEndpoint, tenantKey: string, secret: string): Promise<WebhookAttemptResult & { deliveryId: string }> {
    const deliveryId = randomUUID();
    const body = buildBody(endpoint.format, deliveryId, [{ name: 'ping', timeMs: Date.now() }]);
    return { deliveryId, ...(await this.send(endpoint, deliveryId, body, tenantKey, secret)) };
  }

  /**
   * Re-enqueues open deliveries that have no live job: a failed enqueue, or a job lost with its
   * queue. Runs at boot on worker instances; safe to run anywhere, any number of times.
   */
  async reconcile(olderThanMs = 60_000, limit = 1_000): Promise<number> {
    let requeued = 0;
    for (const row of await this.deliveries.listStaleOpen(olderThanMs, limit)) {
      const job = await this.queue.getJob(row.id);
      const state = job ? await job.getState() : 'missing';
      if (state === 'waiting' || state === 'delayed' || state === 'active' || state === 'prioritized' || state === 'waiting-children') continue;
      if (job) await job.remove().catch(() => undefined);
      await this.enqueue(row.id);
      await this.deliveries.touch(row.id);
      requeued++;
    }
    if (requeued > 0) this.logger.warn(`Re-enqueued ${requeued} open webhook deliveries that had no job`);
    return requeued;
  }

  private send(endpoint: WebhookEndpoint, deliveryId: string, body: string, tenantKey: string, secret: string): Promise<WebhookAttemptResult> {
    const headers = signedHeaders({ format: endpoint.format, rawBody: body, tenantKey, secret, deliveryId, customHeaders: endpoint.headers });
    return sendWebhook({ url: endpoint.url, headers, body, timeoutMs: this.config.webhooks.timeoutMs, allowPrivate: this.config.webhooks.allowPrivate });
  }
}

/** The request body, fixed when the delivery is created so every attempt sends the same bytes. */
export function buildBody(format: WebhookFormat, deliveryId: string, events: OutgoingEvent[]): string {
  const now = Date.now();
  if (format === 'pusher') return JSON.stringify({ time_ms: now, events: events.map(toPusherEvent) });
  return JSON.stringify({ deliveryId, timeMs: now, events: events.map(toNativeEvent) });
}
