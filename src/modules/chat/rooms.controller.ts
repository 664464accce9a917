import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ok } from '../../common/api-response';
import { ApiEnvelopeResponse, ApiErrorResponses } from '../../infra/swagger/api-responses';
import type { ChatUser } from './chat-actor';
import { ChatAuth, CurrentChatUser } from './chat.decorators';
import {
  ChatTenantQueryDto,
  RoomCreateDto,
  RoomListQueryDto,
  RoomMemberAddDto,
  RoomMemberResponseDto,
  RoomPresenceResponseDto,
  RoomResponseDto,
  RoomUpdateDto,
} from './dto/room.dto';
import { RoomsService } from './rooms.service';

const ROOM_REF = 'The room id, or its name';

@ApiTags('Chat rooms')
@ApiErrorResponses(409, 429)
@Controller('api/rooms')
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  @Post()
  @ChatAuth('chat:write')
  @ApiOperation({ summary: 'Create a room; the caller becomes its owner' })
  @ApiEnvelopeResponse(RoomResponseDto, { status: 201 })
  async createRoom(@CurrentChatUser() user: ChatUser, @Query() _q: ChatTenantQueryDto, @Body() dto: RoomCreateDto): Promise<ApiEnvelope<RoomResponseDto>> {
    return ok(await this.rooms.create(user, dto));
  }

  @Get()
  @ChatAuth('chat:read')
  @ApiOperation({ summary: "The caller's rooms and the tenant's public rooms, by name, with unread counts" })
  @ApiEnvelopeResponse(RoomResponseDto, { isArray: true })
  async listRooms(@CurrentChatUser() user: ChatUser, @Query() q: RoomListQueryDto): Promise<ApiEnvelope<RoomResponseDto[]>> {
    return ok(await this.rooms.list(user, { after: q.after, limit: q.limit, joinedOnly: q.joined === 'true' }));
  }

  @Get(':id')
  @ChatAuth('chat:read')
  @ApiOperation({ summary: 'One room', description: ROOM_REF })
  @ApiEnvelopeResponse(RoomResponseDto)
  async getRoom(@CurrentChatUser() user: ChatUser, @Param('id') id: string, @Query() _q: ChatTenantQueryDto): Promise<ApiEnvelope<RoomResponseDto>> {
    return ok(await this.rooms.get(user, id));
  }

  @Patch(':id')
  @ChatAuth('chat:write')
  @ApiOperation({ summary: "Change a room's visibility or metadata (owners and admins; the name is the room's address and stays)" })
  @ApiEnvelopeResponse(RoomResponseDto)
  async updateRoom(
    @CurrentChatUser() user: ChatUser,
    @Param('id') id: string,
    @Query() _q: ChatTenantQueryDto,
    @Body() dto: RoomUpdateDto,
  ): Promise<ApiEnvelope<RoomResponseDto>> {
    return ok(await this.rooms.update(user, id, dto));
  }

  @Delete(':id')
  @ChatAuth('chat:write')
  @ApiOperation({ summary: 'Delete a room with its messages (owners)' })
  async deleteRoom(@CurrentChatUser() user: ChatUser, @Param('id') id: string, @Query() _q: ChatTenantQueryDto): Promise<ApiEnvelope<{ deleted: true }>> {
    await this.rooms.remove(user, id);
    return ok({ deleted: true });
  }

  @Get(':id/members')
  @ChatAuth('chat:read')
  @ApiOperation({ summary: "A room's members and their roles" })
  @ApiEnvelopeResponse(RoomMemberResponseDto, { isArray: true })
  async listRoomMembers(
    @CurrentChatUser() user: ChatUser,
    @Param('id') id: string,
    @Query() _q: ChatTenantQueryDto,
  ): Promise<ApiEnvelope<RoomMemberResponseDto[]>> {
    return ok(await this.rooms.members(user, id));
  }

  @Post(':id/members')
  @ChatAuth('chat:write')
  @ApiOperation({ summary: "Add a member or change a member's role (owners and admins; admin and owner roles by owners)" })
  @ApiEnvelopeResponse(RoomMemberResponseDto, { status: 201 })
  async addRoomMember(
    @CurrentChatUser() user: ChatUser,
    @Param('id') id: string,
    @Query() _q: ChatTenantQueryDto,
    @Body() dto: RoomMemberAddDto,
  ): Promise<ApiEnvelope<RoomMemberResponseDto>> {
    return ok(await this.rooms.addMember(user, id, dto.userId, dto.role));
  }

  @Delete(':id/members/:userId')
  @ChatAuth('chat:write')
  @ApiOperation({ summary: 'Remove a member (yourself; owners anyone; admins plain members)' })
  async removeRoomMember(
    @CurrentChatUser() user: ChatUser,
    @Param('id') id: string,
    @Param('userId') userId: string,
    @Query() _q: ChatTenantQueryDto,
  ): Promise<ApiEnvelope<{ removed: true }>> {
    await this.rooms.removeMember(user, id, userId);
    return ok({ removed: true });
  }

  @Post(':id/join')
  @HttpCode(200)
  @ChatAuth('chat:write')
  @ApiOperation({ summary: 'Join a public room (private rooms: members are added by an owner or admin)' })
  @ApiEnvelopeResponse(RoomResponseDto)
  async joinRoom(@CurrentChatUser() user: ChatUser, @Param('id') id: string, @Query() _q: ChatTenantQueryDto): Promise<ApiEnvelope<RoomResponseDto>> {
    return ok(await this.rooms.join(user, id));
  }

  @Post(':id/leave')
  @HttpCode(200)
  @ChatAuth('chat:write')
  @ApiOperation({ summary: 'Leave a room: its messages stop reaching your connections' })
  async leaveRoom(@CurrentChatUser() user: ChatUser, @Param('id') id: string, @Query() _q: ChatTenantQueryDto): Promise<ApiEnvelope<{ left: true }>> {
    await this.rooms.leave(user, id);
    return ok({ left: true });
  }

  @Get(':id/presence')
  @ChatAuth('chat:read')
  @ApiOperation({ summary: 'Online and offline members: online = a connection that joined the room, on any instance' })
  @ApiEnvelopeResponse(RoomPresenceResponseDto)
  async getRoomPresence(
    @CurrentChatUser() user: ChatUser,
    @Param('id') id: string,
    @Query() _q: ChatTenantQueryDto,
  ): Promise<ApiEnvelope<RoomPresenceResponseDto>> {
    return ok(await this.rooms.presenceOf(user, id));
  }
}
