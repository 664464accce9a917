import { runMigrations } from 'bullmq';
import { Client } from 'pg';

/**
 * The Postgres schema of BullMQ's tables when jobs run on Postgres: named after REDIS_KEY_PREFIX, so
 * installs (and test runs) sharing a database keep their queues apart as they would on a shared Redis.
 */
export function queueSchema(keyPrefix: string): string {
  return `bullmq_${keyPrefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

/**
 * Brings BullMQ's schema up to date (its own migrations, under its advisory lock) on a connection of
 * its own. The queue module runs it once before any queue connects, so that each connection only
 * runs BullMQ's one-query compatibility check; the build's embedded template runs it too.
 */
export async function migrateQueueSchema(connectionString: string, schema: string): Promise<void> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    await runMigrations(client, schema);
  } finally {
    await client.end();
  }
}
