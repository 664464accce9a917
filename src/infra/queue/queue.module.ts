import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConnectionOptions, createPostgresBackend, Processor, Queue, QueueOptions, Worker, WorkerOptions } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { DatabaseEndpoint } from '../database/database-endpoint';
import { redisOptionsFromUrl } from '../redis/redis.module';
import { migrateQueueSchema, queueSchema } from './queue-schema';

/** BullMQ's Postgres connection options (a pool config; `schema` is BullMQ's own). */
export interface PostgresQueueConnection {
  connectionString: string;
  schema: string;
  /** false: the schema is migrated once, before any queue connects (migrateQueueSchema); each connection only checks it. */
  migrate: false;
  max: number;
}

function isPostgresConnection(connection: unknown): connection is PostgresQueueConnection {
  return typeof connection === 'object' && connection !== null && 'connectionString' in connection;
}

/*
 * BullMQ takes its backend as a constructor argument, which @nestjs/bullmq never passes. These
 * classes pass the Postgres backend when the connection is a Postgres one, so each app's choice
 * holds even when two apps with different backends share a process (as in the tests).
 */
// The Queue and Worker types are pinned to the Redis backend by @nestjs/bullmq's generics; the
// factory is only ever paired with a Postgres connection (checked above), so the cast is sound.
const postgresBackend = createPostgresBackend as never;

export class BackendAwareQueue extends Queue {
  constructor(name: string, opts: QueueOptions) {
    if (isPostgresConnection(opts.connection)) super(name, opts as never, postgresBackend);
    else super(name, opts);
  }
}

export class BackendAwareWorker extends Worker {
  constructor(name: string, processor: string | URL | null | Processor | undefined, opts: WorkerOptions) {
    if (isPostgresConnection(opts.connection)) super(name, processor, opts as never, postgresBackend);
    else super(name, processor, opts);
  }
}

BullModule.queueClass = BackendAwareQueue;
BullModule.workerClass = BackendAwareWorker;

/**
 * BullMQ for every queue: on Redis (REDIS_URL) under REDIS_KEY_PREFIX, or else on BullMQ's Postgres
 * backend in the application's database — the embedded one included — in the schema named after
 * REDIS_KEY_PREFIX (`queueSchema`). One job code path in both modes.
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
          useFactory: async (config: AppConfig, database: DatabaseEndpoint): Promise<QueueOptions> => {
            if (config.redis.url) {
              return {
                connection: redisOptionsFromUrl(config.redis.url, 'relaybase-queue') as ConnectionOptions,
                prefix: `${config.redis.keyPrefix}:bull`,
              };
            }
            const connection: PostgresQueueConnection = {
              connectionString: database.url,
              schema: queueSchema(config.redis.keyPrefix),
              migrate: false,
              max: database.embedded ? 2 : 4,
            };
            // Once per process: with `migrate: true` every Queue and Worker (each has its own pool) ran
            // BullMQ's migration transaction on connect, six times in a row at each start.
            await migrateQueueSchema(connection.connectionString, connection.schema);
            return { connection: connection as unknown as ConnectionOptions };
          },
        }),
      ],
      exports: [BullModule],
    };
  }
}
