import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ok } from '../../common/api-response';
import { ApiEnvelopeResponse, ApiErrorResponses } from '../../infra/swagger/api-responses';
import { AccountOrApiKey, CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { WebhookDeliveryListQueryDto, WebhookDeliveryPageDto, WebhookDeliveryResponseDto } from './dto/webhook-delivery.dto';
import {
  WebhookEndpointCreateDto,
  WebhookEndpointResponseDto,
  WebhookEndpointUpdateDto,
  WebhookTestResponseDto,
} from './dto/webhook-endpoint.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('Webhooks')
@AccountOrApiKey('webhooks:manage')
@ApiErrorResponses(409)
@Controller('api/tenants/:id/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Add a webhook endpoint to the tenant' })
  @ApiEnvelopeResponse(WebhookEndpointResponseDto, { status: 201 })
  async createWebhook(
    @CurrentPrincipal() p: Principal,
    @Param('id') tenantId: string,
    @Body() dto: WebhookEndpointCreateDto,
  ): Promise<ApiEnvelope<WebhookEndpointResponseDto>> {
    return ok(await this.webhooks.create(p, tenantId, dto));
  }

  @Get()
  @ApiOperation({ summary: "The tenant's webhook endpoints" })
  @ApiEnvelopeResponse(WebhookEndpointResponseDto, { isArray: true })
  async listWebhooks(@CurrentPrincipal() p: Principal, @Param('id') tenantId: string): Promise<ApiEnvelope<WebhookEndpointResponseDto[]>> {
    return ok(await this.webhooks.list(p, tenantId));
  }

  @Get(':wid')
  @ApiOperation({ summary: 'One webhook endpoint' })
  @ApiEnvelopeResponse(WebhookEndpointResponseDto)
  async getWebhook(
    @CurrentPrincipal() p: Principal,
    @Param('id') tenantId: string,
    @Param('wid') id: string,
  ): Promise<ApiEnvelope<WebhookEndpointResponseDto>> {
    return ok(await this.webhooks.get(p, tenantId, id));
  }

  @Patch(':wid')
  @ApiOperation({ summary: 'Change a webhook endpoint (url, events, channelPrefix, format, headers, active, batch)' })
  @ApiEnvelopeResponse(WebhookEndpointResponseDto)
  async updateWebhook(
    @CurrentPrincipal() p: Principal,
    @Param('id') tenantId: string,
    @Param('wid') id: string,
    @Body() dto: WebhookEndpointUpdateDto,
  ): Promise<ApiEnvelope<WebhookEndpointResponseDto>> {
    return ok(await this.webhooks.update(p, tenantId, id, dto));
  }

  @Delete(':wid')
  @ApiOperation({ summary: 'Delete a webhook endpoint and its delivery log' })
  @ApiOkResponse({ description: 'Deleted' })
  async deleteWebhook(
    @CurrentPrincipal() p: Principal,
    @Param('id') tenantId: string,
    @Param('wid') id: string,
  ): Promise<ApiEnvelope<{ deleted: true }>> {
    await this.webhooks.remove(p, tenantId, id);
    return ok({ deleted: true });
  }

  @Post(':wid/test')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a signed ping event to the endpoint now (not retried, not logged) and report the answer' })
  @ApiEnvelopeResponse(WebhookTestResponseDto)
  async testWebhook(
    @CurrentPrincipal() p: Principal,
    @Param('id') tenantId: string,
    @Param('wid') id: string,
  ): Promise<ApiEnvelope<WebhookTestResponseDto>> {
    return ok(await this.webhooks.test(p, tenantId, id));
  }

  @Get(':wid/deliveries')
  @ApiOperation({ summary: "The endpoint's delivery log, newest first, filtered by status, paginated by cursor" })
  @ApiEnvelopeResponse(WebhookDeliveryPageDto)
  async listWebhookDeliveries(
    @CurrentPrincipal() p: Principal,
    @Param('id') tenantId: string,
    @Param('wid') id: string,
    @Query() query: WebhookDeliveryListQueryDto,
  ): Promise<ApiEnvelope<WebhookDeliveryPageDto>> {
    return ok(await this.webhooks.listDeliveries(p, tenantId, id, query));
  }

  @Get(':wid/deliveries/:did')
  @ApiOperation({ summary: 'One delivery of the endpoint' })
  @ApiEnvelopeResponse(WebhookDeliveryResponseDto)
  async getWebhookDelivery(
    @CurrentPrincipal() p: Principal,
    @Param('id') tenantId: string,
    @Param('wid') id: string,
    @Param('did') deliveryId: string,
  ): Promise<ApiEnvelope<WebhookDeliveryResponseDto>> {
    return ok(await this.webhooks.getDelivery(p, tenantId, id, deliveryId));
  }

  @Post(':wid/deliveries/:did/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: "Send a delivery's body again, as a new delivery (new id, redeliveryOf set), with the usual retries" })
  @ApiEnvelopeResponse(WebhookDeliveryResponseDto, { status: 202 })
  async redeliverWebhookDelivery(
    @CurrentPrincipal() p: Principal,
    @Param('id') tenantId: string,
    @Param('wid') id: string,
    @Param('did') deliveryId: string,
  ): Promise<ApiEnvelope<WebhookDeliveryResponseDto>> {
    return ok(await this.webhooks.redeliver(p, tenantId, id, deliveryId));
  }
}
