import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { REDIS } from '../../infra/redis/redis.token';
import { RealtimeModule } from '../../realtime/realtime.module';
import { FeedSubscription } from './entities/feed-subscription.entity';
import { Feed } from './entities/feed.entity';
import { FeedIngestionService } from './feed-ingestion.service';
import { FeedRevocationBus } from './feed-revocation.bus';
import { FEED_STATE_STORE, FeedStateStore } from './feed-state.store';
import { FeedSubscriptionRepository } from './feed-subscription.repository';
import { FeedRepository } from './feed.repository';
import { FeedsController } from './feeds.controller';
import { FeedsService } from './feeds.service';
import { FeedsWs } from './feeds.ws';
import { LocalFeedStateStore } from './local-feed-state.store';
import { RedisFeedStateStore } from './redis-feed-state.store';

/**
 * Feeds (issue 7): the marketplace REST API, ingestion of upstream WebSockets with one owner per feed
 * in the cluster, topic routing and windows, and the native `subscribe-feed` / `subscribe-topic`
 * messages. Exports FeedsService (readable(), contextWindow()) and the state store for the LLM module.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Feed, FeedSubscription]), RealtimeModule],
  controllers: [FeedsController],
  providers: [
    {
      provide: FEED_STATE_STORE,
      inject: [APP_CONFIG, REDIS],
      useFactory: (config: AppConfig, redis: Redis | null): FeedStateStore =>
        redis ? new RedisFeedStateStore(redis, config.redis.keyPrefix) : new LocalFeedStateStore(),
    },
    FeedRepository,
    FeedSubscriptionRepository,
    FeedIngestionService,
    FeedRevocationBus,
    FeedsService,
    FeedsWs,
  ],
  exports: [FeedsService, FEED_STATE_STORE],
})
export class FeedsModule {}
