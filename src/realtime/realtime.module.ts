import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig, ConfigError } from '../config/app-config';
import { APP_CONFIG } from '../config/config.token';
import { createRedisClient } from '../infra/redis/redis.module';
import { REDIS } from '../infra/redis/redis.token';
import { AuthModule } from '../modules/auth/auth.module';
import { TenantsModule } from '../modules/tenants/tenants.module';
import { InProcessBus } from './bus/in-process.bus';
import { REALTIME_BUS, RealtimeBus } from './bus/realtime-bus';
import { RedisBus } from './bus/redis.bus';
import { CLUSTER_STATE, ClusterState } from './cluster/cluster-state';
import { LocalClusterState } from './cluster/local-cluster-state';
import { RedisClusterState } from './cluster/redis-cluster-state';
import { RealtimeHub } from './hub/realtime-hub.service';
import { MetricsController } from './metrics/metrics.controller';
import { RealtimeMetrics } from './metrics/realtime-metrics.service';
import { PublishService } from './publish.service';
import { RealtimeLifecycle } from './realtime-lifecycle.service';
import { REALTIME_INSTANCE_ID } from './realtime.tokens';
import { SubscriptionService } from './subscription.service';
import { TenantContextService } from './tenants/tenant-context.service';
import { WebhookDispatcher } from '../modules/webhooks/webhook.dispatcher';
import { WebhooksModule } from '../modules/webhooks/webhooks.module';
import { REALTIME_EVENT_SINK } from './hub/realtime-events';
import { NativeMessageRegistry } from './ws/native/native-message.registry';
import { NativeWs } from './ws/native/native.ws';
import { WebSocketGateway } from './ws/websocket.gateway';

/**
 * The realtime hub with its bus and cluster state (Redis when REDIS_URL is set, in-process
 * otherwise), the WebSocket gateway with the native dialect, and the /metrics endpoint.
 */
@Module({
  // Webhooks is imported (not the reverse) so that on shutdown the realtime drain runs first and
  // the dispatcher still delivers the last vacated/removed events it holds.
  imports: [AuthModule, TenantsModule, WebhooksModule],
  controllers: [MetricsController],
  providers: [
    { provide: REALTIME_INSTANCE_ID, useFactory: () => `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}` },
    {
      provide: REALTIME_BUS,
      inject: [APP_CONFIG, REDIS, REALTIME_INSTANCE_ID, RealtimeMetrics],
      useFactory: (config: AppConfig, redis: Redis | null, instanceId: string, metrics: RealtimeMetrics): RealtimeBus =>
        config.redis.url && redis
          ? new RedisBus(redis, createRedisClient(config.redis.url, 'relaybase-bus'), instanceId, () => metrics.busErrors.inc())
          : new InProcessBus(),
    },
    {
      provide: CLUSTER_STATE,
      inject: [APP_CONFIG, REDIS, REALTIME_INSTANCE_ID, RealtimeMetrics],
      useFactory: (config: AppConfig, redis: Redis | null, instanceId: string, metrics: RealtimeMetrics): ClusterState => {
        const { heartbeatIntervalMs, instanceTtlMs } = config.realtime;
        if (instanceTtlMs < 2 * heartbeatIntervalMs) {
          // One late heartbeat must not get a live instance swept.
          throw new ConfigError('REALTIME_INSTANCE_TTL_MS must be at least twice REALTIME_HEARTBEAT_INTERVAL_MS');
        }
        return redis
          ? new RedisClusterState(redis, config.redis.keyPrefix, {
              instanceId,
              heartbeatIntervalMs: config.realtime.heartbeatIntervalMs,
              instanceTtlMs: config.realtime.instanceTtlMs,
              onError: () => metrics.busErrors.inc(),
            })
          : new LocalClusterState();
      },
    },
    { provide: REALTIME_EVENT_SINK, useExisting: WebhookDispatcher },
    RealtimeMetrics,
    RealtimeHub,
    TenantContextService,
    SubscriptionService,
    PublishService,
    WebSocketGateway,
    NativeWs,
    NativeMessageRegistry,
    RealtimeLifecycle,
  ],
  exports: [
    RealtimeHub,
    PublishService,
    SubscriptionService,
    TenantContextService,
    CLUSTER_STATE,
    WebSocketGateway,
    RealtimeMetrics,
    RealtimeLifecycle,
    NativeMessageRegistry,
  ],
})
export class RealtimeModule {}
