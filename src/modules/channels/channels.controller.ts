import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ok } from '../../common/api-response';
import { ApiEnvelopeResponse, ApiErrorResponses } from '../../infra/swagger/api-responses';
import { AccountApiKeyOrEndUser, AccountOrApiKey, CurrentPrincipal } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { ChannelsService } from './channels.service';
import {
  ChannelDetailResponseDto,
  ChannelEventCreateDto,
  ChannelEventResponseDto,
  ChannelListQueryDto,
  ChannelListResponseDto,
  ChannelTenantQueryDto,
} from './dto/channel.dto';

@ApiTags('Channels')
@ApiErrorResponses()
@Controller('api/channels')
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Post(':channel/events')
  @HttpCode(200)
  @AccountApiKeyOrEndUser('events:trigger')
  @ApiHeader({ name: 'X-Tenant-Key', required: false, description: 'With an end-user JWT as the Bearer token: the tenant key' })
  @ApiOperation({
    summary: "Publish an event to a channel's subscribers on every instance",
    description:
      'API key with events:trigger (bound to the tenant, or naming it with ?tenant=), owner account JWT with ?tenant=, or an ' +
      "end-user JWT when the tenant's endUserPublishEnabled setting is on (public channels, the user's own user:<id>, and " +
      'private/presence channels its channels claim matches).',
  })
  @ApiEnvelopeResponse(ChannelEventResponseDto)
  async publishChannelEvent(
    @CurrentPrincipal() p: Principal,
    @Param('channel') channel: string,
    @Query() query: ChannelTenantQueryDto,
    @Body() dto: ChannelEventCreateDto,
  ): Promise<ApiEnvelope<ChannelEventResponseDto>> {
    return ok(await this.channels.publish(p, query.tenant, channel, dto.type, dto.data));
  }

  @Get()
  @AccountOrApiKey('channels:read')
  @ApiOperation({ summary: "The tenant's occupied channels and connection count, across all instances" })
  @ApiEnvelopeResponse(ChannelListResponseDto)
  async listChannels(@CurrentPrincipal() p: Principal, @Query() query: ChannelListQueryDto): Promise<ApiEnvelope<ChannelListResponseDto>> {
    return ok(await this.channels.list(p, query.tenant, query.prefix));
  }

  @Get(':channel')
  @AccountOrApiKey('channels:read')
  @ApiOperation({ summary: 'One channel: subscriptions and, for presence channels, the members, across all instances' })
  @ApiEnvelopeResponse(ChannelDetailResponseDto)
  async getChannel(
    @CurrentPrincipal() p: Principal,
    @Param('channel') channel: string,
    @Query() query: ChannelTenantQueryDto,
  ): Promise<ApiEnvelope<ChannelDetailResponseDto>> {
    return ok(await this.channels.get(p, query.tenant, channel));
  }
}
