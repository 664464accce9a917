import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { dataSourceOptions } from './data-source-options';
import { DatabaseEndpoint } from './database-endpoint';
import { initializeDataSource } from './pending-migrations';

/**
 * TypeORM over the endpoint that the caller opened (and closes after the app, since BullMQ and
 * TypeORM hold connections to it until their own shutdown hooks have run).
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(endpoint: DatabaseEndpoint): DynamicModule {
    const endpointProvider = { provide: DatabaseEndpoint, useValue: endpoint };
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          // MIGRATIONS_RUN_ON_START travels as `migrationsRun`, which initializeDataSource takes over:
          // it runs the pending migrations without TypeORM's catalog lookup when none is pending.
          useFactory: (config: AppConfig) => ({
            ...dataSourceOptions(config, endpoint.url, endpoint.embedded),
            migrationsRun: config.database.runMigrationsOnStart,
          }),
          dataSourceFactory: (options) => initializeDataSource(options!),
        }),
      ],
      providers: [endpointProvider],
      exports: [endpointProvider],
    };
  }
}
