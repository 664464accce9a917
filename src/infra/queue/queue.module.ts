import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConnectionOptions, QueueOptions } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { redisOptionsFromUrl } from '../redis/redis.module';

/**
 * Where BullMQ keeps its jobs without REDIS_URL. BullMQ's Postgres backend takes its factory as a
 * constructor argument that @nestjs/bullmq never passes, and on the embedded PGlite (one session
 * shared by every socket connection) its extended-protocol queries collide ("unnamed prepared
 * statement does not exist"). Until that is solved, queues without REDIS_URL use the Redis on
 * localhost, under the same key prefix — stated in the README's known limitations.
 */
const LOCAL_REDIS = 'redis://127.0.0.1:6379';

/** BullMQ for every queue, on REDIS_URL (or the local Redis, see above), under REDIS_KEY_PREFIX. */
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
          inject: [APP_CONFIG],
          extraOptions: { manualRegistration: !options.workers },
          useFactory: (config: AppConfig): QueueOptions => ({
            connection: redisOptionsFromUrl(config.redis.url ?? LOCAL_REDIS, 'relaybase-queue') as ConnectionOptions,
            prefix: `${config.redis.keyPrefix}:bull`,
          }),
        }),
      ],
      exports: [BullModule],
    };
  }
}
