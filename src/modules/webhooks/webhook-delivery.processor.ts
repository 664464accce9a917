import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Job } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { webhookBackoffStrategy } from './webhook-retry-policy';
import { DELIVER_JOB, DeliverJobData, WEBHOOKS_QUEUE } from './webhooks.queue';

/** How often a worker looks for open deliveries without a job (besides once at start). */
const RECONCILE_INTERVAL_MS = 5 * 60_000;

/** Sends webhook deliveries; BullMQ retries a job whose attempt throws, with our backoff. */
@Processor(WEBHOOKS_QUEUE, { settings: { backoffStrategy: webhookBackoffStrategy } })
export class WebhookDeliveryProcessor extends WorkerHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);
  private reconcileTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deliveries: WebhookDeliveryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // No worker under ROLE=api (manual registration that never happens).
    if (this.config.role === 'api') return;
    this.worker.concurrency = this.config.webhooks.concurrency;
    // Open deliveries whose enqueue failed (or whose job was lost) go back on the queue.
    await this.reconcile();
    this.reconcileTimer = setInterval(() => void this.reconcile(), RECONCILE_INTERVAL_MS);
    this.reconcileTimer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.reconcileTimer);
  }

  async process(job: Job<DeliverJobData>): Promise<unknown> {
    if (job.name !== DELIVER_JOB) throw new Error(`No handler for webhooks job "${job.name}"`);
    const lastAllowed = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    return this.deliveries.attempt(job.data, job.attemptsMade, lastAllowed);
  }

  private async reconcile(): Promise<void> {
    await this.deliveries.reconcile().catch((err) => this.logger.error({ err }, 'Webhook delivery reconciliation failed'));
  }
}
