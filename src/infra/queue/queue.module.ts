import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConnectionOptions, createPostgresBackend, Processor, Queue, QueueOptions, Worker, WorkerOptions } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { DatabaseEndpoint } from '../database/database-endpoint';
import { redisOptionsFromUrl } from '../redis/redis.module';

/** The Postgres form of a queue connection (a config object with a connection string). */
function isPostgresConnection(connection: unknown): boolean {
  return typeof connection === 'object' && connection !== null && 'connectionString' in connection;
}

/**
 * @nestjs/bullmq builds workers (and queues) from the shared connection and prefix only, dropping
 * `backend`; a Postgres connection would then silently fall back to Redis on localhost. These
 * classes restore the backend from the connection they are given, so each app's choice holds.
 */
export class BackendAwareWorker extends Worker {
  constructor(name: string, processor: string | URL | null | Processor | undefined, opts: WorkerOptions) {
    super(name, processor, (isPostgresConnection(opts.connection) ? { ...opts, backend: createPostgresBackend } : opts) as WorkerOptions);
  }
}
BullModule.workerClass = BackendAwareWorker;

/** The same for queues, whatever path @nestjs/bullmq builds their options by. */
export class BackendAwareQueue extends Queue {
  constructor(name: string, opts: QueueOptions) {
    super(name, (isPostgresConnection(opts?.connection) ? { ...opts, backend: createPostgresBackend } : opts) as QueueOptions);
  }
}
BullModule.queueClass = BackendAwareQueue;

/**
 * The Postgres schema of BullMQ's tables: named after REDIS_KEY_PREFIX, so that installs (and test
 * runs) sharing a database keep their queues apart as they would on a shared Redis.
 */
export function queueSchema(keyPrefix: string): string {
  return `bullmq_${keyPrefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

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
                  connection: { connectionString: database.url, migrate: true, max: 4, schema: queueSchema(config.redis.keyPrefix) },
                } as unknown as QueueOptions),
        }),
      ],
      exports: [BullModule],
    };
  }
}
