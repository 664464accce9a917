import { Module } from '@nestjs/common';
import { RealtimeModule } from '../../realtime/realtime.module';
import { ChatApiInterceptor } from './chat-api.interceptor';
import { ChatDelivery } from './chat-delivery';
import { ChatPresence } from './chat-presence';
import { ChatSeedController } from './chat-seed.controller';
import { ChatWs } from './chat.ws';
import { MessageBatcher } from './message-batcher';
import { MessageRepository } from './message.repository';
import { MessagesService } from './messages.service';
import { ReceiptRepository } from './receipt.repository';
import { ReceiptsService } from './receipts.service';
import { RoomMessagesController } from './room-messages.controller';
import { RoomRepository } from './room.repository';
import { RoomsController } from './rooms.controller';
import { RoomsService } from './rooms.service';
import { WebhooksModule } from '../webhooks/webhooks.module';

/** Chat rooms over REST and the native WebSocket protocol: rooms, members, messages, receipts, typing, presence. */
@Module({
  imports: [WebhooksModule, RealtimeModule],
  controllers: [RoomsController, RoomMessagesController, ChatSeedController],
  providers: [
    RoomRepository,
    MessageRepository,
    MessageBatcher,
    ReceiptRepository,
    RoomsService,
    MessagesService,
    ReceiptsService,
    ChatDelivery,
    ChatPresence,
    ChatApiInterceptor,
    ChatWs,
  ],
  exports: [ChatApiInterceptor],
})
export class ChatModule {}
