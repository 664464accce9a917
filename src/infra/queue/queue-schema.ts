/**
 * The Postgres schema of BullMQ's tables when jobs run on Postgres: named after REDIS_KEY_PREFIX, so
 * installs (and test runs) sharing a database keep their queues apart as they would on a shared Redis.
 */
export function queueSchema(keyPrefix: string): string {
  return `bullmq_${keyPrefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}
