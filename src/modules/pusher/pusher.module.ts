import { Module } from '@nestjs/common';
import { RealtimeModule } from '../../realtime/realtime.module';
import { AuthModule } from '../auth/auth.module';
import { TenantsModule } from '../tenants/tenants.module';
import { ChannelAuthController } from './channel-auth.controller';
import { ChannelCacheService } from './channel-cache.service';
import { PusherAuthGuard } from './pusher-auth.guard';
import { PusherRestController } from './pusher-rest.controller';
import { PusherRestService } from './pusher-rest.service';
import { PusherSubscriptionCounts } from './pusher-subscription-counts';
import { PusherWs } from './pusher.ws';

/** The Pusher-compatible dialect: WebSocket `/app/:key` and HTTP `/apps/:appId`. */
@Module({
  imports: [RealtimeModule, TenantsModule, AuthModule],
  controllers: [PusherRestController, ChannelAuthController],
  providers: [PusherWs, PusherRestService, PusherAuthGuard, ChannelCacheService, PusherSubscriptionCounts],
})
export class PusherModule {}
