import { Module } from '@nestjs/common';
import { RealtimeModule } from '../../realtime/realtime.module';
import { ChatModule } from '../chat/chat.module';
import { NotificationRepository } from './notification.repository';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';
import { WebhooksModule } from '../webhooks/webhooks.module';

/** Notifications to end users: stored, listed, marked read, and pushed over the hub. */
@Module({
  imports: [WebhooksModule, RealtimeModule, ChatModule],
  controllers: [NotificationsController],
  providers: [NotificationRepository, NotificationsService],
})
export class NotificationsModule {}
