import { createHash } from 'node:crypto';

/** How a delivery is retried; fixed when the delivery is enqueued and carried in the job. */
export interface WebhookRetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Fraction of each delay that is randomised: the delay lies in [d * (1 - jitter), d]. */
  jitter: number;
  /** Retries go on until this long after the first attempt; the failure after that is final. */
  windowMs: number;
}

/** BullMQ backoff type name of our strategy (see `webhookBackoffStrategy`). */
export const WEBHOOK_BACKOFF_TYPE = 'webhook-exponential';

/** Delay before retry number `attemptsMade` (1 = after the first failure): exponential, capped, with jitter. */
export function retryDelayMs(policy: WebhookRetryPolicy, attemptsMade: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(30, Math.max(0, attemptsMade - 1)));
  return Math.max(1, Math.floor(exp * (1 - policy.jitter * random())));
}

/** Whether a delivery whose first attempt started at `firstAttemptAt` is still inside its retry window. */
export function mayRetry(policy: WebhookRetryPolicy, firstAttemptAt: number, now: number): boolean {
  return now - firstAttemptAt < policy.windowMs;
}

/**
 * An upper bound on the attempts the window can hold (every delay at its jittered minimum), used as
 * BullMQ's `attempts` so the window, checked by the processor, is what ends the retries.
 */
export function maxAttempts(policy: WebhookRetryPolicy): number {
  let elapsed = 0;
  let attempts = 1;
  while (elapsed < policy.windowMs && attempts < 10_000) {
    const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(30, attempts - 1));
    elapsed += Math.max(1, Math.floor(exp * (1 - policy.jitter)));
    attempts++;
  }
  return attempts + 1;
}

/**
 * The jitter of one retry, derived from the delivery id and the attempt: random across deliveries
 * (so retries of many deliveries spread out) yet the same wherever it is computed, so the
 * processor can log when the next attempt will be.
 */
export function jitterFor(deliveryId: string, attemptsMade: number): () => number {
  return () => createHash('sha256').update(`${deliveryId}:${attemptsMade}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** The delay BullMQ will wait after failed attempt number `attemptsMade` of this delivery. */
export function deliveryRetryDelayMs(policy: WebhookRetryPolicy, deliveryId: string, attemptsMade: number): number {
  return retryDelayMs(policy, attemptsMade, jitterFor(deliveryId, attemptsMade));
}

/** BullMQ custom backoff strategy: reads the policy from the job, so every worker computes the same schedule. */
export function webhookBackoffStrategy(attemptsMade: number, _type?: string, _err?: Error, job?: { data?: unknown }): number {
  const data = job?.data as { deliveryId?: string; retry?: WebhookRetryPolicy } | undefined;
  if (!data?.retry || !data.deliveryId) return 1_000;
  return deliveryRetryDelayMs(data.retry, data.deliveryId, attemptsMade);
}
