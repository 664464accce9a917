import type { WebhookRetryPolicy } from './webhook-retry-policy';

/** The BullMQ queue of webhook deliveries; one processor class consumes it. */
export const WEBHOOKS_QUEUE = 'webhooks';

/** Job name of a delivery attempt (the only job on the queue). */
export const DELIVER_JOB = 'deliver';

/** A delivery job carries only the delivery id (also the BullMQ job id) and its retry policy. */
export interface DeliverJobData {
  deliveryId: string;
  retry: WebhookRetryPolicy;
}
