import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class ChannelAuthDto {
  @ApiProperty({ example: '1234.5678', description: 'The socket_id the client got in pusher:connection_established' })
  @Matches(/^\d+\.\d+$/, { message: 'socket_id must look like 1234.5678' })
  socket_id: string;

  @ApiProperty({ example: 'presence-room-1' })
  @IsString()
  @MaxLength(200)
  @Matches(/^(private-|presence-)[A-Za-z0-9_\-=@,.;:]+$/, { message: 'channel_name must be a private- or presence- channel' })
  channel_name: string;

  @ApiPropertyOptional({ example: '{"user_id":"u1","user_info":{"name":"Ada"}}', description: 'Presence channels: the member, as a JSON string' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  channel_data?: string;
}

export class ChannelAuthResponseDto {
  @ApiProperty({ example: '3f6c1a9e0b7d42c58e11:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4' })
  auth: string;

  @ApiPropertyOptional({ example: '{"user_id":"u1","user_info":{"name":"Ada"}}' })
  channel_data?: string;
}
