import { DataSource, DataSourceOptions } from 'typeorm';

/**
 * Runs the migrations that the database has not recorded, as TypeORM's `migrationsRun` does, and
 * returns their names. TypeORM's runner first looks its table up in `information_schema.tables`, a
 * view whose first plan took 45-90 ms of the embedded start in PGlite's cold catalog. When the table
 * already names every migration (every start but the first after an upgrade), two small queries
 * settle it and the runner is not called; otherwise the runner does what it always did.
 */
export async function runPendingMigrations(dataSource: DataSource): Promise<string[]> {
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const [{ present }] = (await dataSource.query('SELECT to_regclass($1) IS NOT NULL AS present', [table])) as Array<{ present: boolean }>;
  if (present) {
    const applied = new Set(((await dataSource.query(`SELECT name FROM "${table}"`)) as Array<{ name: string }>).map((r) => r.name));
    if (dataSource.migrations.every((m) => applied.has(m.name ?? m.constructor.name))) return [];
  }
  return (await dataSource.runMigrations()).map((m) => m.name);
}

/**
 * `new DataSource(options).initialize()`, with `migrationsRun` done by runPendingMigrations. When the
 * migrations fail, the data source is destroyed before the error is thrown, as TypeORM's own
 * initialize() does, so that a retry leaves no pool open behind it.
 */
export async function initializeDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource({ ...options, migrationsRun: false }).initialize();
  try {
    if (options.migrationsRun) await runPendingMigrations(dataSource);
  } catch (e) {
    await dataSource.destroy();
    throw e;
  }
  return dataSource;
}
