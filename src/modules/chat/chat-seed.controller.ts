import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ok } from '../../common/api-response';
import { validationError } from '../../common/domain-error';
import { ApiEnvelopeResponse, ApiErrorResponses } from '../../infra/swagger/api-responses';
import { PublishService } from '../../realtime/publish.service';
import type { ChatActor, ChatUser } from './chat-actor';
import { ChatAuth, CurrentChatActor, CurrentChatUser } from './chat.decorators';
import { MessagePostResponseDto, SeedBroadcastDto, SeedMessageDto } from './dto/message.dto';
import { ChatTenantQueryDto } from './dto/room.dto';
import { MessagesService } from './messages.service';
import { RoomsService } from './rooms.service';

/** Seed 001's HTTP API: `x-hash` + `Authorization: Bearer <tenant JWT>` (or an API key with X-User-Id). */
@ApiTags('Chat rooms')
@ApiErrorResponses(429)
@Controller('api')
export class ChatSeedController {
  constructor(
    private readonly rooms: RoomsService,
    private readonly messages: MessagesService,
    private readonly publisher: PublishService,
  ) {}

  @Post('message')
  @HttpCode(200)
  @ChatAuth('chat:write')
  @ApiOperation({ summary: 'Send a message to a room by name (a public room is created and joined when needed); it reaches the members over WebSocket' })
  @ApiEnvelopeResponse(MessagePostResponseDto)
  async sendRoomMessage(@CurrentChatUser() user: ChatUser, @Query() _q: ChatTenantQueryDto, @Body() dto: SeedMessageDto): Promise<ApiEnvelope<MessagePostResponseDto>> {
    const room = await this.rooms.ensurePublicRoom(user, dto.room);
    return ok(await this.messages.send(user, room.id, dto.payload, dto.clientMessageId, { joinPublic: true }));
  }

  @Post('broadcast')
  @HttpCode(200)
  @ChatAuth()
  @ApiOperation({
    summary: 'Broadcast to every connection of the tenant',
    description: "End users need the tenant's endUserPublishEnabled setting; API keys need events:trigger. Arrives as {type:'broadcast', payload, from}.",
  })
  @ApiOkResponse({ description: '{"success": true, "data": null}' })
  broadcastToTenant(@CurrentChatActor() actor: ChatActor, @Query() _q: ChatTenantQueryDto, @Body() dto: SeedBroadcastDto): ApiEnvelope<null> {
    if (dto.payload === '') throw validationError('Payload required');
    this.publisher.broadcast(actor.tenant, actor.identity, dto.payload);
    return ok(null);
  }
}
