import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ENTITIES } from '../../src/infra/database/entities';
import { startPgliteServer } from './pglite-server';
import { DEFAULT_TEST_DATABASE_URL, DEFAULT_TEST_REDIS_URL, reachable, RUN_ENV, withDatabase } from './test-services';

/**
 * One database per test run, created here and dropped in teardown, with the migrations applied
 * once. Real Postgres at TEST_DATABASE_URL; where none answers and CI is not set, embedded PGlite.
 * Redis at REDIS_URL; where none answers, CI fails and a local run goes on without it.
 */
export default async function globalSetup(): Promise<void> {
  const ci = process.env.CI === 'true';
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const adminUrl = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
  let databaseUrl: string;
  if (await reachable(adminUrl, 5432)) {
    const name = `relaybase_test_${runId}`;
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`CREATE DATABASE "${name}"`);
    await client.end();
    databaseUrl = withDatabase(adminUrl, name);
    process.env[RUN_ENV.adminDatabaseUrl] = adminUrl;
    process.env[RUN_ENV.databaseKind] = 'postgres';
  } else if (ci) {
    throw new Error(`CI=true but no Postgres answers at ${adminUrl} (set TEST_DATABASE_URL)`);
  } else {
    console.warn(`No Postgres at ${adminUrl}: integration tests run on embedded PGlite`);
    const server = await startPgliteServer();
    (globalThis as Record<string, unknown>).__relaybasePglite = server;
    databaseUrl = server.url;
    process.env[RUN_ENV.databaseKind] = 'pglite';
  }
  process.env[RUN_ENV.databaseUrl] = databaseUrl;

  const dataSource = new DataSource({ type: 'postgres', url: databaseUrl, entities: ENTITIES, migrations: MIGRATIONS, logging: ['error'] });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  await dataSource.destroy();

  const redisUrl = process.env.REDIS_URL || DEFAULT_TEST_REDIS_URL;
  if (await reachable(redisUrl, 6379)) {
    process.env[RUN_ENV.redisUrl] = redisUrl;
    process.env[RUN_ENV.redisPrefix] = `rbtest:${runId}`;
  } else if (ci) {
    throw new Error(`CI=true but no Redis answers at ${redisUrl} (set REDIS_URL)`);
  } else {
    console.warn(`No Redis at ${redisUrl}: tests that need Redis are skipped in this local run`);
  }
}
