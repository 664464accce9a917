import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConnectionOptions, createPostgresBackend, QueueOptions } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { DatabaseEndpoint } from '../database/database-endpoint';
import { redisOptionsFromUrl } from '../redis/redis.module';

/**
 * BullMQ for every queue: on Redis when REDIS_URL is set, otherwise on BullMQ's Postgres backend
 * (the embedded database included), so there is one job code path in both modes.
 */
@Global()
@Module({})
export class QueueModule {
  /**
   * `workers: false` (ROLE=api) keeps every @Processor class from starting a BullMQ worker: the
   * process only enqueues, and instances started with ROLE=worker (or all) do the work.
   */
  static forRoot(options: { workers: boolean }): DynamicModule {
    return {
      module: QueueModule,
      imports: [
        BullModule.forRootAsync({
          inject: [APP_CONFIG, DatabaseEndpoint],
          extraOptions: { manualRegistration: !options.workers },
          useFactory: (config: AppConfig, database: DatabaseEndpoint): QueueOptions =>
            config.redis.url
              ? {
                  connection: redisOptionsFromUrl(config.redis.url, 'relaybase-queue') as ConnectionOptions,
                  prefix: `${config.redis.keyPrefix}:bull`,
                }
              : ({
                  backend: createPostgresBackend,
                  connection: { connectionString: database.url, migrate: true, max: 4 },
                } as unknown as QueueOptions),
        }),
      ],
      exports: [BullModule],
    };
  }
}
