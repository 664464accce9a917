import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../config/app-config';
import { dataSourceOptions } from '../infra/database/data-source-options';
import { DatabaseEndpoint } from '../infra/database/database-endpoint';

/** `npm run migration:run | migration:revert | migration:show`, against DATABASE_URL or the embedded database. */
async function main(command: string): Promise<void> {
  const config = loadConfig();
  const endpoint = await DatabaseEndpoint.open(config);
  const dataSource = new DataSource(dataSourceOptions(config, endpoint.url, endpoint.embedded));
  try {
    await dataSource.initialize();
    if (command === 'run') {
      const ran = await dataSource.runMigrations({ transaction: 'each' });
      console.log(ran.length ? `Applied: ${ran.map((m) => m.name).join(', ')}` : 'Nothing to apply');
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log('Reverted the last migration');
    } else if (command === 'show') {
      const pending = await dataSource.showMigrations();
      console.log(pending ? 'There are pending migrations' : 'Up to date');
    } else {
      throw new ConfigError(`Unknown command "${command}" (use run, revert or show)`);
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await endpoint.close();
  }
}

main(process.argv[2] ?? 'run').catch((e) => {
  console.error(e instanceof ConfigError ? e.message : e);
  process.exit(1);
});
