import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ok } from '../../common/api-response';
import { notFound } from '../../common/domain-error';
import { ApiEnvelopeResponse, ApiErrorResponses } from '../../infra/swagger/api-responses';
import type { ChatActor, ChatUser } from '../chat/chat-actor';
import { ChatAuth, CurrentChatActor, CurrentChatUser } from '../chat/chat.decorators';
import { ChatTenantQueryDto } from '../chat/dto/room.dto';
import {
  NotificationCreateDto,
  NotificationListQueryDto,
  NotificationPageResponseDto,
  NotificationReadAllResponseDto,
  NotificationResponseDto,
  NotificationSendResponseDto,
} from './dto/notification.dto';
import { NotificationsService } from './notifications.service';

const notificationId = new ParseUUIDPipe({ exceptionFactory: () => notFound('Notification') });

@ApiTags('Notifications')
@ApiErrorResponses(429)
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Post()
  @ChatAuth('chat:write')
  @ApiOperation({ summary: "Notify users (tenant API key): stored, and pushed to their connections as {type:'notification', data}" })
  @ApiEnvelopeResponse(NotificationSendResponseDto, { status: 201 })
  async sendNotifications(
    @CurrentChatActor() actor: ChatActor,
    @Query() _q: ChatTenantQueryDto,
    @Body() dto: NotificationCreateDto,
  ): Promise<ApiEnvelope<NotificationSendResponseDto>> {
    return ok(await this.notifications.send(actor, dto.userIds, dto.type, dto.data));
  }

  @Get()
  @ChatAuth('chat:read')
  @ApiOperation({ summary: "The user's notifications, newest first (unread filter, pagination with before + limit)" })
  @ApiEnvelopeResponse(NotificationPageResponseDto)
  async listNotifications(@CurrentChatUser() user: ChatUser, @Query() q: NotificationListQueryDto): Promise<ApiEnvelope<NotificationPageResponseDto>> {
    return ok(await this.notifications.list(user, { unreadOnly: q.unread === 'true', before: q.before, limit: q.limit }));
  }

  @Post('read-all')
  @HttpCode(200)
  @ChatAuth('chat:write')
  @ApiOperation({ summary: "Mark all the user's notifications read" })
  @ApiEnvelopeResponse(NotificationReadAllResponseDto)
  async readAllNotifications(@CurrentChatUser() user: ChatUser, @Query() _q: ChatTenantQueryDto): Promise<ApiEnvelope<NotificationReadAllResponseDto>> {
    return ok(await this.notifications.markAllRead(user));
  }

  @Post(':id/read')
  @HttpCode(200)
  @ChatAuth('chat:write')
  @ApiOperation({ summary: 'Mark one notification read' })
  @ApiEnvelopeResponse(NotificationResponseDto)
  async readNotification(
    @CurrentChatUser() user: ChatUser,
    @Param('id', notificationId) id: string,
    @Query() _q: ChatTenantQueryDto,
  ): Promise<ApiEnvelope<NotificationResponseDto>> {
    return ok(await this.notifications.markRead(user, id));
  }
}
