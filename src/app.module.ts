import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CryptoModule } from './infra/crypto/crypto.module';
import { DatabaseEndpoint } from './infra/database/database-endpoint';
import { DatabaseModule } from './infra/database/database.module';
import { HealthController } from './infra/health/health.controller';
import { HttpExceptionFilter } from './infra/http/http-exception.filter';
import { LoggingModule } from './infra/logging/logging.module';
import { QueueModule } from './infra/queue/queue.module';
import { RateLimitModule } from './infra/rate-limit/rate-limit.module';
import { RedisModule } from './infra/redis/redis.module';
import { AuthModule } from './modules/auth/auth.module';
import { ChannelsModule } from './modules/channels/channels.module';
import { ChatModule } from './modules/chat/chat.module';
import { FeedsModule } from './modules/feeds/feeds.module';
import { LlmModule } from './modules/llm/llm.module';
import { MaintenanceModule } from './modules/maintenance/maintenance.module';
import { NotificationsModule } from './modules/notifications/notifications.module';
import { PusherModule } from './modules/pusher/pusher.module';
import { TenantsModule } from './modules/tenants/tenants.module';
import { WebhooksModule } from './modules/webhooks/webhooks.module';
import { RealtimeModule } from './realtime/realtime.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, database: DatabaseEndpoint): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        CryptoModule,
        DatabaseModule.forRoot(database),
        RedisModule,
        RateLimitModule,
        QueueModule.forRoot({ workers: config.role !== 'api' }),
        TenantsModule,
        AuthModule,
        MaintenanceModule,
        WebhooksModule,
        RealtimeModule,
        ChannelsModule,
        ChatModule,
        NotificationsModule,
        FeedsModule,
        LlmModule,
        PusherModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
