import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiEnvelope, ok } from '../../common/api-response';
import { validationError } from '../../common/domain-error';
import { ApiEnvelopeResponse, ApiErrorResponses } from '../../infra/swagger/api-responses';
import type { ChatUser } from './chat-actor';
import { ChatAuth, CurrentChatUser } from './chat.decorators';
import {
  MessageCreateDto,
  MessageListQueryDto,
  MessagePageResponseDto,
  MessagePostResponseDto,
  MessageReceiptsResponseDto,
  MessageResponseDto,
  MessageUpdateDto,
  ReceiptCreateDto,
  ReceiptMarkerDto,
  ReceiptResponseDto,
} from './dto/message.dto';
import { ChatTenantQueryDto } from './dto/room.dto';
import { MessagesService } from './messages.service';
import { ReceiptsService } from './receipts.service';

const uuid = new ParseUUIDPipe({ exceptionFactory: () => validationError('messageId must be a UUID') });

@ApiTags('Chat messages')
@ApiErrorResponses(409, 429)
@Controller('api/rooms/:id')
export class RoomMessagesController {
  constructor(
    private readonly messages: MessagesService,
    private readonly receipts: ReceiptsService,
  ) {}

  @Post('messages')
  @ChatAuth('chat:write')
  @ApiOperation({
    summary: 'Post a message (posting to a public room joins it)',
    description: '201 when stored; 200 with created=false when a retry with the same clientMessageId found the first message.',
  })
  @ApiEnvelopeResponse(MessagePostResponseDto, { status: 201 })
  async postRoomMessage(
    @CurrentChatUser() user: ChatUser,
    @Param('id') id: string,
    @Query() _q: ChatTenantQueryDto,
    @Body() dto: MessageCreateDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ApiEnvelope<MessagePostResponseDto>> {
    const sent = await this.messages.send(user, id, dto.payload, dto.clientMessageId, { joinPublic: true });
    if (!sent.created) res.status(200);
    return ok(sent);
  }

  @Get('messages')
  @ChatAuth('chat:read')
  @ApiOperation({ summary: 'History, oldest first: the newest page, or a page before / after a message id (limit ≤ 100)' })
  @ApiEnvelopeResponse(MessagePageResponseDto)
  async listRoomMessages(@CurrentChatUser() user: ChatUser, @Param('id') id: string, @Query() q: MessageListQueryDto): Promise<ApiEnvelope<MessagePageResponseDto>> {
    return ok(await this.messages.list(user, id, q));
  }

  @Patch('messages/:messageId')
  @ChatAuth('chat:write')
  @ApiOperation({ summary: 'Edit your own message' })
  @ApiEnvelopeResponse(MessageResponseDto)
  async editRoomMessage(
    @CurrentChatUser() user: ChatUser,
    @Param('id') id: string,
    @Param('messageId', uuid) messageId: string,
    @Query() _q: ChatTenantQueryDto,
    @Body() dto: MessageUpdateDto,
  ): Promise<ApiEnvelope<MessageResponseDto>> {
    return ok(await this.messages.edit(user, id, messageId, dto.payload));
  }

  @Delete('messages/:messageId')
  @ChatAuth('chat:write')
  @ApiOperation({ summary: "Delete a message (yours; owners and admins any): its content goes, a tombstone stays in the history" })
  @ApiEnvelopeResponse(MessageResponseDto)
  async deleteRoomMessage(
    @CurrentChatUser() user: ChatUser,
    @Param('id') id: string,
    @Param('messageId', uuid) messageId: string,
    @Query() _q: ChatTenantQueryDto,
  ): Promise<ApiEnvelope<MessageResponseDto>> {
    return ok(await this.messages.remove(user, id, messageId));
  }

  @Get('messages/:messageId/receipts')
  @ChatAuth('chat:read')
  @ApiOperation({ summary: 'Which members a message was delivered to and read by' })
  @ApiEnvelopeResponse(MessageReceiptsResponseDto)
  async getMessageReceipts(
    @CurrentChatUser() user: ChatUser,
    @Param('id') id: string,
    @Param('messageId', uuid) messageId: string,
    @Query() _q: ChatTenantQueryDto,
  ): Promise<ApiEnvelope<MessageReceiptsResponseDto>> {
    return ok(await this.receipts.ofMessage(user, id, messageId));
  }

  @Post('receipts')
  @HttpCode(200)
  @ChatAuth('chat:write')
  @ApiOperation({ summary: 'Mark a message (and all before it) delivered or read; the sender gets a receipt event' })
  @ApiEnvelopeResponse(ReceiptResponseDto)
  async acknowledgeRoomMessage(
    @CurrentChatUser() user: ChatUser,
    @Param('id') id: string,
    @Query() _q: ChatTenantQueryDto,
    @Body() dto: ReceiptCreateDto,
  ): Promise<ApiEnvelope<ReceiptResponseDto>> {
    return ok(await this.receipts.acknowledge(user, id, dto.messageId, dto.status));
  }

  @Get('receipts')
  @ChatAuth('chat:read')
  @ApiOperation({ summary: "Members' delivered and read markers" })
  @ApiEnvelopeResponse(ReceiptMarkerDto, { isArray: true })
  async listRoomReceipts(@CurrentChatUser() user: ChatUser, @Param('id') id: string, @Query() _q: ChatTenantQueryDto): Promise<ApiEnvelope<ReceiptMarkerDto[]>> {
    return ok(await this.receipts.list(user, id));
  }
}
