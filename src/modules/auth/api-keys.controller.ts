import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../../infra/swagger/api-responses';
import { AccountOnly, CurrentPrincipal } from './auth.decorators';
import { ApiKeyService } from './api-key.service';
import { ApiKeyCreateDto, ApiKeyCreatedResponseDto, ApiKeyListResponseDto, ApiKeyRevokedResponseDto } from './dto/api-key.dto';
import type { AccountPrincipal } from './principal';

@ApiTags('API keys')
@AccountOnly()
@ApiErrorResponses()
@Controller('api/auth/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key; the full key is in this answer only' })
  @ApiCreatedResponse({ type: ApiKeyCreatedResponseDto })
  @ApiErrorResponses(409)
  async createApiKey(@CurrentPrincipal() p: AccountPrincipal, @Body() dto: ApiKeyCreateDto): Promise<ApiKeyCreatedResponseDto> {
    const { key, apiKey } = await this.apiKeys.create(p.accountId, dto);
    return {
      success: true,
      message: 'API key created successfully. Store this key securely - it will not be shown again.',
      apiKey,
      key,
    };
  }

  @Get()
  @ApiOperation({ summary: 'List your active API keys (never the key itself)' })
  @ApiOkResponse({ type: ApiKeyListResponseDto })
  async listApiKeys(@CurrentPrincipal() p: AccountPrincipal): Promise<ApiKeyListResponseDto> {
    return { success: true, apiKeys: await this.apiKeys.list(p.accountId) };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an API key; it stops working at once' })
  @ApiOkResponse({ type: ApiKeyRevokedResponseDto })
  async revokeApiKey(@CurrentPrincipal() p: AccountPrincipal, @Param('id') id: string): Promise<ApiKeyRevokedResponseDto> {
    await this.apiKeys.revoke(p.accountId, id);
    return { success: true, message: 'API key revoked successfully' };
  }
}
