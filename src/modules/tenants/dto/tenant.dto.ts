import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { PLAN_NAMES, PlanName } from '../plans';

export class TenantCreateDto {
  @ApiProperty({ example: 'My Product (production)', maxLength: 100 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional({ enum: PLAN_NAMES, default: 'free' })
  @IsOptional()
  @IsIn(PLAN_NAMES)
  plan?: PlanName;
}

export class TenantSettingsDto {
  @ApiPropertyOptional({ description: 'Allow Pusher client events on private and presence channels', default: false })
  @IsOptional()
  @IsBoolean()
  clientEventsEnabled?: boolean;

  @ApiPropertyOptional({ description: 'Send pusher_internal:subscription_count events', default: false })
  @IsOptional()
  @IsBoolean()
  subscriptionCountEnabled?: boolean;

  @ApiPropertyOptional({ description: 'Let end users (tenant JWTs) publish to channels over REST', default: false })
  @IsOptional()
  @IsBoolean()
  endUserPublishEnabled?: boolean;
}

export class TenantLimitsDto {
  @ApiPropertyOptional({ description: 'Concurrent connections for the tenant, cluster-wide', example: 500 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  maxConnections?: number;

  @ApiPropertyOptional({ description: 'Channels one connection may subscribe to', example: 20 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  maxChannelsPerConnection?: number;

  @ApiPropertyOptional({ description: 'Chat REST requests per second for the tenant, counted across instances', example: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  apiRequestsPerSecond?: number;

  @ApiPropertyOptional({ description: 'Pusher HTTP API: largest event data in bytes', example: 10240 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_048_576)
  maxEventDataBytes?: number;

  @ApiPropertyOptional({ description: 'Pusher HTTP API: channels per trigger', example: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000)
  maxChannelsPerTrigger?: number;

  @ApiPropertyOptional({ description: 'Pusher HTTP API: events per batch', example: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxBatchEvents?: number;

  @ApiPropertyOptional({ description: 'Distinct users a presence channel holds', example: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  maxPresenceMembers?: number;
}

export class TenantUpdateDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ enum: PLAN_NAMES })
  @IsOptional()
  @IsIn(PLAN_NAMES)
  plan?: PlanName;

  @ApiPropertyOptional({ description: 'A disabled tenant refuses connections and API calls' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ type: TenantSettingsDto, description: 'Merged into the current settings' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TenantSettingsDto)
  settings?: TenantSettingsDto;

  @ApiPropertyOptional({ type: TenantLimitsDto, description: 'Overrides of the plan limits, merged into the current ones; null removes an override' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TenantLimitsDto)
  limits?: TenantLimitsDto;
}

export class TenantRotateSecretDto {
  @ApiPropertyOptional({ enum: ['secret', 'jwtSecret'], default: 'secret', description: 'Which secret to replace' })
  @IsOptional()
  @IsIn(['secret', 'jwtSecret'])
  target?: 'secret' | 'jwtSecret';
}

export class TenantLimitsResponseDto {
  @ApiProperty({ example: 100 }) maxConnections: number;
  @ApiProperty({ example: 10 }) maxChannelsPerConnection: number;
  @ApiProperty({ example: 100 }) apiRequestsPerSecond: number;
  @ApiProperty({ example: 10240 }) maxEventDataBytes: number;
  @ApiProperty({ example: 100 }) maxChannelsPerTrigger: number;
  @ApiProperty({ example: 10 }) maxBatchEvents: number;
  @ApiProperty({ example: 100 }) maxPresenceMembers: number;
}

export class TenantResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'My Product (production)' }) name: string;
  @ApiProperty({ enum: PLAN_NAMES }) plan: PlanName;
  @ApiProperty({ example: '482910375', description: 'Public app id (Pusher REST /apps/:appId)' }) appId: string;
  @ApiProperty({ example: '3f6c1a9e0b7d42c58e11', description: 'Public key (Pusher app key, /ws/:tenantKey)' }) key: string;
  @ApiPropertyOptional({ description: 'HMAC secret; shown to the owner on create, get and rotate' }) secret?: string;
  @ApiPropertyOptional({ description: 'Verifies end-user JWTs; shown to the owner on create, get and rotate' }) jwtSecret?: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: TenantSettingsDto }) settings: TenantSettingsDto;
  @ApiProperty({ type: TenantLimitsDto, description: 'Overrides set on this tenant' }) limitOverrides: TenantLimitsDto;
  @ApiProperty({ type: TenantLimitsResponseDto, description: 'Limits in force: the plan with the overrides' }) limits: TenantLimitsResponseDto;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}
