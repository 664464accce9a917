import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import IORedis, { Redis, RedisOptions } from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { REDIS } from './redis.token';

/** ioredis options for a `redis://` or `rediss://` URL; maxRetriesPerRequest: null is what BullMQ requires. */
export function redisOptionsFromUrl(url: string, connectionName: string): RedisOptions {
  const u = new URL(url);
  const db = u.pathname.replace('/', '');
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: db ? Number(db) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    connectionName,
    maxRetriesPerRequest: null,
  };
}

export function createRedisClient(url: string, connectionName: string): Redis {
  return new IORedis(redisOptionsFromUrl(url, connectionName));
}

/** One shared Redis client (or null in embedded mode). Subscribers and BullMQ make their own. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.redis.url ? createRedisClient(config.redis.url, 'relaybase') : null),
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
