import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { dataSourceOptions } from './data-source-options';
import { DatabaseEndpoint } from './database-endpoint';

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
          useFactory: (config: AppConfig) => ({
            ...dataSourceOptions(config, endpoint.url, endpoint.embedded),
            migrationsRun: config.database.runMigrationsOnStart,
          }),
        }),
      ],
      providers: [endpointProvider],
      exports: [endpointProvider],
    };
  }
}
