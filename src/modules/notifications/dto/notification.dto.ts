import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { ChatTenantQueryDto } from '../../chat/dto/room.dto';
import { PageLimit } from '../../../common/page-limit.decorator';

export class NotificationCreateDto {
  @ApiProperty({ example: ['user-1', 'user-2'], description: 'End users to notify (1-1000)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Matches(/^[^\u0000-\u001f\u007f]{1,128}$/, { each: true, message: 'each userId must be 1-128 characters without control characters' })
  userIds: string[];

  @ApiProperty({ example: 'comment', description: '1-64 characters' })
  @IsString()
  @Matches(/^[A-Za-z0-9_\-=@,.;:]{1,64}$/, { message: 'type must be 1-64 letters, digits and _ - = @ , . ; :' })
  type: string;

  @ApiProperty({ example: { message: 'New comment on your post', level: 'info' }, description: 'Any JSON value, at most CHAT_MAX_PAYLOAD_BYTES serialised' })
  @IsDefined()
  data: unknown;
}

export class NotificationListQueryDto extends ChatTenantQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], default: 'false', description: 'true: unread only' })
  @IsOptional()
  @IsIn(['true', 'false'])
  unread?: 'true' | 'false';

  @ApiPropertyOptional({ format: 'uuid', description: 'Notifications older than this one (the last id of the previous page)' })
  @IsOptional()
  @IsUUID()
  before?: string;

  @PageLimit(50)
  limit?: number;
}

export class NotificationResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'user-1' }) userId: string;
  @ApiProperty({ example: 'comment' }) type: string;
  @ApiProperty({ example: { message: 'New comment on your post', level: 'info' } }) data: unknown;
  @ApiProperty() read: boolean;
  @ApiProperty({ nullable: true }) readAt: string | null;
  @ApiProperty() createdAt: string;
}

export class NotificationPageResponseDto {
  @ApiProperty({ type: NotificationResponseDto, isArray: true, description: 'Newest first' }) notifications: NotificationResponseDto[];
  @ApiProperty({ example: 3, description: "The user's unread notifications in all" }) unreadCount: number;
  @ApiProperty({ description: 'More notifications lie after this page (pass the last id as before)' }) hasMore: boolean;
}

export class NotificationSendResponseDto {
  @ApiProperty({ example: 2 }) count: number;
  @ApiProperty({ type: NotificationResponseDto, isArray: true }) notifications: NotificationResponseDto[];
}

export class NotificationReadAllResponseDto {
  @ApiProperty({ example: 3, description: 'Notifications marked read' }) updated: number;
}

