import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource, MigrationInterface } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { initializeDataSource, runPendingMigrations } from '../../src/infra/database/pending-migrations';
import { startPgliteServer } from '../support/pglite-server';
import { RUN_ENV, withDatabase } from '../support/test-services';

const TABLES = ['accounts', 'api_keys', 'login_throttle', 'tenants'];

async function upAndDown(url: string): Promise<void> {
  const ds = new DataSource({ type: 'postgres', url, migrations: MIGRATIONS, migrationsTransactionMode: 'each' });
  await ds.initialize();
  const tables = async () =>
    (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`)).map(
      (r: { table_name: string }) => r.table_name,
    );
  try {
    expect(await tables()).toEqual([]);
    const applied = await ds.runMigrations();
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(await tables()).toEqual(expect.arrayContaining(TABLES));
    expect(await ds.showMigrations()).toBe(false);
    for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
    expect(await tables()).toEqual([]);
    // And up again: down() leaves a database that up() can rebuild.
    expect((await ds.runMigrations()).length).toBe(MIGRATIONS.length);
  } finally {
    await ds.destroy();
  }
}

describe('migrations from empty', () => {
  const admin = process.env[RUN_ENV.adminDatabaseUrl];

  (admin ? it : it.skip)('run up and down on Postgres', () => onFreshDatabase(admin!, (url) => upAndDown(url)));

  it('run up and down on PGlite', async () => {
    const pglite = await startPgliteServer();
    try {
      await upAndDown(pglite.url);
    } finally {
      await pglite.stop();
    }
  });
});

describe('migrations on start (MIGRATIONS_RUN_ON_START)', () => {
  it('runs every migration on an empty database, none on a migrated one, and the missing one on a database one behind', async () => {
    const pglite = await startPgliteServer();
    const ds = new DataSource({ type: 'postgres', url: pglite.url, migrations: MIGRATIONS, migrationsTransactionMode: 'each' });
    await ds.initialize();
    const names = MIGRATIONS.map((m) => m.name);
    const recorded = async () => (await ds.query('SELECT name FROM migrations ORDER BY id')).map((r: { name: string }) => r.name);
    try {
      expect(await runPendingMigrations(ds)).toEqual(names);
      expect(await recorded()).toEqual(names);
      expect(await runPendingMigrations(ds)).toEqual([]);
      expect(await recorded()).toEqual(names);
      // One behind, as after an upgrade that adds a migration: only that one runs, and its table is back.
      await ds.undoLastMigration();
      expect(await recorded()).toEqual(names.slice(0, -1));
      expect(await runPendingMigrations(ds)).toEqual(names.slice(-1));
      expect(await recorded()).toEqual(names);
      expect(await ds.showMigrations()).toBe(false);
    } finally {
      await ds.destroy();
      await pglite.stop();
    }
  });
});

describe('initializeDataSource', () => {
  const admin = process.env[RUN_ENV.adminDatabaseUrl];

  (admin ? it : it.skip)('closes its connections when a migration fails, and leaves the failed one unrecorded', () =>
    onFreshDatabase(admin!, async (url, adminClient) => {
      class Broken1999999999999 implements MigrationInterface {
        name = 'Broken1999999999999';
        async up(): Promise<void> {
          throw new Error('broken migration');
        }
        async down(): Promise<void> {}
      }
      const applicationName = `migr-${randomBytes(4).toString('hex')}`;
      const open = async () =>
        (await adminClient.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName])).rows[0].n;
      const options = { type: 'postgres' as const, url, applicationName, migrationsTransactionMode: 'each' as const, migrationsRun: true };
      await expect(initializeDataSource({ ...options, migrations: [...MIGRATIONS, Broken1999999999999] })).rejects.toThrow('broken migration');
      expect(await open()).toBe(0);
      // Each migration ran in its own transaction: the ones before it are recorded, the broken one is not.
      const db = new Client({ connectionString: url });
      await db.connect();
      try {
        expect((await db.query('SELECT name FROM migrations ORDER BY id')).rows.map((r: { name: string }) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
      } finally {
        await db.end();
      }
      // A data source that opens fine keeps its connections.
      const ds = await initializeDataSource({ ...options, migrations: MIGRATIONS });
      try {
        expect(await open()).toBeGreaterThan(0);
      } finally {
        await ds.destroy();
      }
    }));
});

/** Runs `test` on a new, empty Postgres database (dropped afterwards), with a client on the admin database. */
async function onFreshDatabase(admin: string, test: (url: string, adminClient: Client) => Promise<void>): Promise<void> {
  const name = `relaybase_migr_${randomBytes(4).toString('hex')}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  try {
    await test(withDatabase(admin, name), client);
  } finally {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  }
}
