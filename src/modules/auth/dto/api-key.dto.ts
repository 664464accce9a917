import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, IsArray, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Scope, SCOPE_DESCRIPTIONS, SCOPES } from '../scopes';

const scopeDoc = Object.entries(SCOPE_DESCRIPTIONS)
  .map(([s, d]) => `\`${s}\`: ${d}`)
  .join('; ');

export class ApiKeyCreateDto {
  @ApiProperty({ example: 'My Trading Bot', description: 'Unique among your active keys' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['websocket:subscribe', 'websocket:llm'], description: scopeDoc })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(SCOPES.length)
  @IsIn(SCOPES, { each: true, message: `each value in scopes must be one of: ${SCOPES.join(', ')}` })
  scopes: Scope[];

  @ApiPropertyOptional({ format: 'uuid', description: 'Bind the key to one of your tenants; with scope * it is that tenant\'s master key' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) _id: string;
  @ApiProperty({ example: 'My Trading Bot' }) name: string;
  @ApiProperty({ example: 'rb_live_' }) prefix: string;
  @ApiProperty({ example: '8dF2aC9b', description: 'The last 8 characters of the key' }) lastChars: string;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes: string[];
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) tenantId: string | null;
  @ApiProperty({ example: true }) isActive: boolean;
  @ApiProperty() createdAt: Date;
  @ApiProperty({ nullable: true, type: Date }) lastUsedAt: Date | null;
}

export class ApiKeyCreatedResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ example: 'API key created successfully. Store this key securely - it will not be shown again.' }) message: string;
  @ApiProperty({ type: ApiKeyDto }) apiKey: ApiKeyDto;
  @ApiProperty({ example: 'rb_live_a7Kx9mP2nQ5wR8yT4vB6cD1eF3gH0jL5mN7pQ9r8dF2aC9b', description: 'The full key, shown only once' }) key: string;
}

export class ApiKeyListResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: ApiKeyDto, isArray: true }) apiKeys: ApiKeyDto[];
}

export class ApiKeyRevokedResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ example: 'API key revoked successfully' }) message: string;
}
