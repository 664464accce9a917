import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { AppConfig } from '../../config/app-config';
import { ENTITIES } from './entities';

export function dataSourceOptions(config: AppConfig, url: string, embedded: boolean): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // The embedded server runs one query at a time; a few connections are enough to overlap I/O.
    poolSize: embedded ? 4 : config.database.poolSize,
    logging: ['error'],
  };
}
