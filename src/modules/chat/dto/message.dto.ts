import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { ChatTenantQueryDto } from './room.dto';
import { PageLimit } from '../../../common/page-limit.decorator';

export class MessageCreateDto {
  @ApiProperty({ example: 'Hello, world!', description: 'Any JSON value (a string in seed 001), at most CHAT_MAX_PAYLOAD_BYTES serialised' })
  @IsDefined()
  payload: unknown;

  @ApiPropertyOptional({ example: 'c-42', description: 'Your id for this send: a retry with the same id returns the first message instead of storing a second' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  clientMessageId?: string;
}

export class MessageUpdateDto {
  @ApiProperty({ example: 'Hello, world (edited)' })
  @IsDefined()
  payload: unknown;
}

export class MessageListQueryDto extends ChatTenantQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Messages before this one (scrolling back)' })
  @IsOptional()
  @IsUUID()
  before?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Messages after this one (catching up after a reconnect)' })
  @IsOptional()
  @IsUUID()
  after?: string;

  @PageLimit(50)
  limit?: number;
}

export class MessageResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'general' }) room: string;
  @ApiProperty({ format: 'uuid' }) roomId: string;
  @ApiProperty({ example: 'user-1' }) sender: string;
  @ApiProperty({ example: 'Hello, world!', nullable: true, description: 'null once deleted' }) payload: unknown;
  @ApiProperty({ nullable: true, example: 'c-42' }) clientMessageId: string | null;
  @ApiProperty({ description: 'When it was stored (ISO 8601)' }) timestamp: string;
  @ApiProperty({ nullable: true }) editedAt: string | null;
  @ApiProperty({ nullable: true, description: 'Set on a deleted message (a tombstone)' }) deletedAt: string | null;
}

export class MessagePageResponseDto {
  @ApiProperty({ type: MessageResponseDto, isArray: true, description: 'Oldest first' }) messages: MessageResponseDto[];
  @ApiProperty({ description: 'More messages lie beyond this page in the direction read (older for before/no cursor, newer for after)' })
  hasMore: boolean;
}

export class MessagePostResponseDto extends MessageResponseDto {
  @ApiProperty({ description: 'false when a retry with the same clientMessageId returned the first message' }) created: boolean;
}

export class ReceiptCreateDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  messageId: string;

  @ApiProperty({ enum: ['delivered', 'read'] })
  @IsIn(['delivered', 'read'])
  status: 'delivered' | 'read';
}

export class ReceiptMarkerDto {
  @ApiProperty({ example: 'user-2' }) userId: string;
  @ApiProperty({ nullable: true, format: 'uuid', description: 'Everything up to this message was delivered to the user' }) deliveredMessageId: string | null;
  @ApiProperty({ nullable: true, format: 'uuid', description: 'Everything up to this message was read by the user' }) readMessageId: string | null;
  @ApiProperty() updatedAt: Date;
}

export class ReceiptResponseDto extends ReceiptMarkerDto {
  @ApiProperty({ example: 0, description: "The caller's unread count in the room after this receipt" }) unreadCount: number;
}

export class MessageReceiptsResponseDto {
  @ApiProperty({ format: 'uuid' }) messageId: string;
  @ApiProperty({ example: ['user-2'], description: 'Members it was delivered to (read included)' }) deliveredTo: string[];
  @ApiProperty({ example: ['user-3'] }) readBy: string[];
}

export class SeedMessageDto {
  @ApiProperty({ example: 'chat-room-1' })
  @IsString()
  @Matches(/^[A-Za-z0-9_\-=@,.;:]{1,100}$/, { message: 'room must be 1-100 letters, digits and _ - = @ , . ; :' })
  room: string;

  @ApiProperty({ example: 'Hello from HTTP' })
  @IsDefined()
  payload: unknown;

  @ApiPropertyOptional({ example: 'c-42' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  clientMessageId?: string;
}

export class SeedBroadcastDto {
  @ApiPropertyOptional({ example: 'chat-room-1', description: 'Accepted for seed 001 compatibility; the broadcast reaches every connection of the tenant' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  room?: string;

  @ApiProperty({ example: 'System message' })
  @IsDefined()
  payload: unknown;
}

export class SuccessOnlyDto {
  @ApiProperty({ example: true }) success: true;
}

export const RECEIPT_STATUSES = ['delivered', 'read'] as const;
