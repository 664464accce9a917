import { Global, Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { REDIS } from '../redis/redis.token';
import { InProcessRateLimiter } from './in-process-rate-limiter';
import { RateLimiter } from './rate-limiter';
import { RedisRateLimiter } from './redis-rate-limiter';

/** RateLimiter on Redis when configured (counted across instances), in-process otherwise. */
@Global()
@Module({
  providers: [
    {
      provide: RateLimiter,
      inject: [APP_CONFIG, REDIS],
      useFactory: (config: AppConfig, redis: Redis | null) =>
        redis ? new RedisRateLimiter(redis, config.redis.keyPrefix) : new InProcessRateLimiter(),
    },
  ],
  exports: [RateLimiter],
})
export class RateLimitModule {}
