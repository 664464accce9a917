import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, IsString, MaxLength } from 'class-validator';

export class ChannelTenantQueryDto {
  @ApiPropertyOptional({
    description: 'The tenant to act on (id, appId or key), for account JWTs and API keys not bound to a tenant',
    example: '482910375',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  tenant?: string;
}

export class ChannelListQueryDto extends ChannelTenantQueryDto {
  @ApiPropertyOptional({ description: 'Only channels whose name starts with this', example: 'presence-' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  prefix?: string;
}

export class ChannelEventCreateDto {
  @ApiProperty({ example: 'notification', description: 'Event type: 1-64 of letters, digits and _ - = @ , . ; : (protocol types are reserved)' })
  @IsString()
  type: string;

  @ApiProperty({ example: { message: 'New comment on your post', level: 'info' }, description: 'Any JSON value, at most WS_MAX_FRAME_BYTES serialised' })
  @IsDefined()
  data: unknown;
}

export class ChannelEventResponseDto {
  @ApiProperty({ example: 'conversation:conv-123' }) channel: string;
  @ApiProperty({ example: 'notification' }) type: string;
}

export class PresenceMemberDto {
  @ApiProperty({ example: 'user-456' }) userId: string;
  @ApiProperty({ nullable: true, example: { name: 'Ada' }, type: Object }) userInfo: unknown;
}

export class ChannelOccupancyDto {
  @ApiProperty({ example: 'presence-room-1' }) name: string;
  @ApiProperty({ example: 3, description: 'Subscriptions across all instances' }) subscriptionCount: number;
  @ApiPropertyOptional({ example: 2, description: 'Presence channels: distinct users present' }) userCount?: number;
}

export class ChannelListResponseDto {
  @ApiProperty({ example: 12, description: "The tenant's open connections across all instances" }) connections: number;
  @ApiProperty({ type: ChannelOccupancyDto, isArray: true, description: 'Occupied channels' }) channels: ChannelOccupancyDto[];
}

export class ChannelDetailResponseDto extends ChannelOccupancyDto {
  @ApiProperty({ example: true }) occupied: boolean;
  @ApiPropertyOptional({ type: PresenceMemberDto, isArray: true, description: 'Presence channels: the members' }) members?: PresenceMemberDto[];
}
