import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ok } from '../../common/api-response';
import { ApiEnvelopeResponse, ApiErrorResponses } from '../../infra/swagger/api-responses';
import { AccountOnly, CurrentPrincipal } from '../auth/auth.decorators';
import type { AccountPrincipal } from '../auth/principal';
import { TenantCreateDto, TenantResponseDto, TenantRotateSecretDto, TenantUpdateDto } from './dto/tenant.dto';
import { TenantsService } from './tenants.service';

@ApiTags('Tenants')
@AccountOnly()
@ApiErrorResponses()
@Controller('api/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a tenant; the answer carries its appId, key, secret and jwtSecret' })
  @ApiEnvelopeResponse(TenantResponseDto, { status: 201 })
  async createTenant(@CurrentPrincipal() p: AccountPrincipal, @Body() dto: TenantCreateDto): Promise<ApiEnvelope<TenantResponseDto>> {
    return ok(await this.tenants.create(p.accountId, dto));
  }

  @Get()
  @ApiOperation({ summary: 'List your tenants (without their secrets)' })
  @ApiEnvelopeResponse(TenantResponseDto, { isArray: true })
  async listTenants(@CurrentPrincipal() p: AccountPrincipal): Promise<ApiEnvelope<TenantResponseDto[]>> {
    return ok(await this.tenants.list(p.accountId));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one of your tenants, with its secrets' })
  @ApiEnvelopeResponse(TenantResponseDto)
  async getTenant(@CurrentPrincipal() p: AccountPrincipal, @Param('id') id: string): Promise<ApiEnvelope<TenantResponseDto>> {
    return ok(await this.tenants.get(p.accountId, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change name, plan, enabled, settings or limit overrides' })
  @ApiEnvelopeResponse(TenantResponseDto)
  async updateTenant(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('id') id: string,
    @Body() dto: TenantUpdateDto,
  ): Promise<ApiEnvelope<TenantResponseDto>> {
    return ok(await this.tenants.update(p.accountId, id, dto));
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace the tenant secret (or jwtSecret); the old one stops working at once' })
  @ApiEnvelopeResponse(TenantResponseDto)
  async rotateTenantSecret(
    @CurrentPrincipal() p: AccountPrincipal,
    @Param('id') id: string,
    @Body() dto: TenantRotateSecretDto,
  ): Promise<ApiEnvelope<TenantResponseDto>> {
    return ok(await this.tenants.rotateSecret(p.accountId, id, dto));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a tenant and everything it owns' })
  @ApiOkResponse({ description: 'Deleted' })
  async deleteTenant(@CurrentPrincipal() p: AccountPrincipal, @Param('id') id: string): Promise<ApiEnvelope<{ deleted: true }>> {
    await this.tenants.remove(p.accountId, id);
    return ok({ deleted: true });
  }
}
