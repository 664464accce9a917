import { Body, Controller, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError, notFound, validationError } from '../../common/domain-error';
import { RateLimiter } from '../../infra/rate-limit/rate-limiter';
import { ApiErrorResponses } from '../../infra/swagger/api-responses';
import { signChannel } from '../../realtime/access/channel-signature';
import { TenantContextService } from '../../realtime/tenants/tenant-context.service';
import { AccountOrApiKey, CurrentPrincipal } from '../auth/auth.decorators';
import type { AccountPrincipal, ApiKeyPrincipal } from '../auth/principal';
import { ChannelAuthDto, ChannelAuthResponseDto } from './dto/channel-auth.dto';
import { pusherRateRule } from './pusher-limits';

/**
 * Channel authorisation for tenants' backends that do not use a Pusher SDK: answers exactly what
 * `pusher.authorizeChannel()` would, for the tenant's owner or a key bound to the tenant.
 */
@ApiTags('Channels')
@Controller('api/tenants/:id/channel-auth')
export class ChannelAuthController {
  constructor(
    private readonly contexts: TenantContextService,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @AccountOrApiKey()
  @ApiOperation({ summary: 'Sign a private or presence subscription: {auth, channel_data?} as Pusher clients expect' })
  @ApiOkResponse({ type: ChannelAuthResponseDto })
  @ApiErrorResponses(429)
  async authorizeChannel(
    @CurrentPrincipal() principal: AccountPrincipal | ApiKeyPrincipal,
    @Param('id') id: string,
    @Body() dto: ChannelAuthDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ChannelAuthResponseDto> {
    const tenant = await this.contexts.forPrincipal(principal, id).catch((e: unknown) => {
      // A key bound to another tenant must not learn whether this one exists.
      throw e instanceof DomainError && e.code === 'AUTHORIZATION_ERROR' ? notFound('Tenant') : e;
    });
    if (!tenant) throw notFound('Tenant');
    const limit = await this.limiter.consume(tenant.id, pusherRateRule(this.config, 'channelAuth'));
    res.setHeader('X-RateLimit-Limit', String(limit.limit));
    res.setHeader('X-RateLimit-Remaining', String(limit.remaining));
    if (!limit.allowed) throw new DomainError('RATE_LIMIT_EXCEEDED', 'Channel authorisation rate limit exceeded', undefined, limit.retryAfterSeconds);
    const presence = dto.channel_name.startsWith('presence-');
    if (presence && dto.channel_data === undefined) throw validationError('channel_data is required for presence channels');
    const channelData = presence ? dto.channel_data : undefined;
    const auth = `${tenant.key}:${signChannel(tenant.secret, dto.socket_id, dto.channel_name, channelData)}`;
    return channelData === undefined ? { auth } : { auth, channel_data: channelData };
  }
}
