import IORedis from 'ioredis';
import { Client } from 'pg';
import type { PgliteServer } from './pglite-server';
import { RUN_ENV } from './test-services';

export default async function globalTeardown(): Promise<void> {
  const databaseUrl = process.env[RUN_ENV.databaseUrl];
  const adminUrl = process.env[RUN_ENV.adminDatabaseUrl];
  if (databaseUrl && adminUrl) {
    const name = new URL(databaseUrl).pathname.slice(1);
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  }
  await ((globalThis as Record<string, unknown>).__relaybasePglite as PgliteServer | undefined)?.stop();

  const redisUrl = process.env[RUN_ENV.redisUrl];
  const prefix = process.env[RUN_ENV.redisPrefix];
  if (redisUrl && prefix) {
    const redis = new IORedis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  }
}
