import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsObject, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageLimit } from '../../../common/page-limit.decorator';

const ROOM_NAME = /^[A-Za-z0-9_\-=@,.;:]{1,100}$/;
const ROOM_NAME_MESSAGE = 'name must be 1-100 letters, digits and _ - = @ , . ; :';

export class ChatTenantQueryDto {
  @ApiPropertyOptional({ description: 'For API keys not bound to a tenant: the tenant (id, appId or key)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tenant?: string;
}

export class RoomCreateDto {
  @ApiProperty({ example: 'general', description: 'Unique in the tenant; 1-100 letters, digits and _ - = @ , . ; : (it addresses the room over WebSocket)' })
  @IsString()
  @Matches(ROOM_NAME, { message: ROOM_NAME_MESSAGE })
  name: string;

  @ApiPropertyOptional({ enum: ['public', 'private'], default: 'public', description: 'public: any user of the tenant may join; private: members only' })
  @IsOptional()
  @IsIn(['public', 'private'])
  visibility?: 'public' | 'private';

  @ApiPropertyOptional({ example: { title: 'General chat' }, description: 'Free-form JSON object' })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({ example: ['user-2', 'user-3'], description: 'Users to add as members (the creator becomes the owner)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  members?: string[];
}

export class RoomUpdateDto {
  @ApiPropertyOptional({ enum: ['public', 'private'] })
  @IsOptional()
  @IsIn(['public', 'private'])
  visibility?: 'public' | 'private';

  @ApiPropertyOptional({ example: { title: 'General chat', topic: 'Anything goes' }, description: 'Replaces the metadata' })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

export class RoomListQueryDto extends ChatTenantQueryDto {
  @ApiPropertyOptional({ description: 'Rooms whose name sorts after this (the last name of the previous page)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  after?: string;

  @PageLimit(50)
  limit?: number;

  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: "true: only the user's rooms" })
  @IsOptional()
  @IsIn(['true', 'false'])
  joined?: 'true' | 'false';
}

export class RoomResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'general' }) name: string;
  @ApiProperty({ enum: ['public', 'private'] }) visibility: 'public' | 'private';
  @ApiProperty({ example: { title: 'General chat' }, type: Object }) metadata: Record<string, unknown>;
  @ApiProperty({ example: 'user-1' }) createdBy: string;
  @ApiProperty({ enum: ['owner', 'admin', 'member'], nullable: true, description: "The caller's role; null when not a member" })
  role: 'owner' | 'admin' | 'member' | null;
  @ApiProperty({ nullable: true, example: 3, description: "Messages of others after the caller's read marker; null when not a member" })
  unreadCount: number | null;
  @ApiProperty({ example: 4 }) memberCount: number;
  @ApiProperty({ nullable: true }) lastMessageAt: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class RoomMemberAddDto {
  @ApiProperty({ example: 'user-2' })
  @IsString()
  @Matches(/^[^\u0000-\u001f\u007f]{1,128}$/, { message: 'userId must be 1-128 characters without control characters' })
  userId: string;

  @ApiPropertyOptional({ enum: ['owner', 'admin', 'member'], default: 'member', description: 'admin and owner can only be given by an owner' })
  @IsOptional()
  @IsIn(['owner', 'admin', 'member'])
  role?: 'owner' | 'admin' | 'member';
}

export class RoomMemberResponseDto {
  @ApiProperty({ example: 'user-2' }) userId: string;
  @ApiProperty({ enum: ['owner', 'admin', 'member'] }) role: 'owner' | 'admin' | 'member';
  @ApiProperty() joinedAt: Date;
}

export class PresenceMemberViewDto {
  @ApiProperty({ example: 'user-2' }) userId: string;
  @ApiProperty({ enum: ['owner', 'admin', 'member'], nullable: true }) role: string | null;
  @ApiProperty({ enum: ['online', 'offline'] }) status: 'online' | 'offline';
  @ApiProperty({ nullable: true, type: Object, description: 'From the user_info claim of the JWT of a connection that joined' }) userInfo: unknown;
}

export class RoomPresenceResponseDto {
  @ApiProperty({ example: 'general' }) room: string;
  @ApiProperty({ example: 2, description: 'Users with at least one connection that joined the room, on any instance' }) onlineCount: number;
  @ApiProperty({ type: PresenceMemberViewDto, isArray: true, description: 'Members (online first), and online users who are not members' })
  members: PresenceMemberViewDto[];
}

