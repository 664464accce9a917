import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiSecurity, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { PusherAuthGuard, PusherRequest, PusherScope } from './pusher-auth.guard';
import { PusherExceptionFilter } from './pusher-exception.filter';
import { PusherEventInput, PusherRestService } from './pusher-rest.service';

const TRIGGER_429 = {
  description:
    "Refused, with Retry-After: the tenant's trigger rate limit is spent (`Rate limit exceeded`), or the instance is overloaded " +
    '(`Server overloaded: publish refused, retry later`: its saturated event loop has spent over 50 ms on a backlog of publishes, so this one is refused rather than queued)',
  schema: { example: { error: 'Rate limit exceeded', code: 429 } },
};

const TRIGGER_200 =
  "Triggered. Sent after this instance's next write pass to its own subscribers' sockets (up to 4 ms of writes; other instances' subscribers get the event through Redis).";

const EVENT_EXAMPLE = { name: 'my-event', data: '{"message":"hello"}', channels: ['my-channel'], socket_id: '1234.5678', info: 'subscription_count' };

/**
 * Pusher's HTTP API at `/apps/:appId`, wire-compatible with the `pusher` server SDKs: requests are
 * signed with the tenant secret (auth_key, auth_timestamp, auth_version, body_md5, auth_signature)
 * or carry `Authorization: Bearer <master key>`; answers and errors keep Pusher's shapes.
 */
@ApiTags('Pusher HTTP API')
@ApiSecurity('pusher-signature')
@ApiParam({ name: 'appId', description: "The tenant's appId" })
@Public()
@UseGuards(PusherAuthGuard)
@UseFilters(PusherExceptionFilter)
@Controller('apps/:appId')
export class PusherRestController {
  constructor(private readonly pusher: PusherRestService) {}

  @Post('events')
  @HttpCode(200)
  @PusherScope('events:trigger')
  @ApiOperation({ summary: 'Trigger an event on up to 100 channels (data ≤ 10 KB; socket_id excludes one connection)' })
  @ApiBody({ schema: { example: EVENT_EXAMPLE } })
  @ApiOkResponse({ description: TRIGGER_200, schema: { example: { channels: { 'my-channel': { subscription_count: 2 } } } } })
  @ApiTooManyRequestsResponse(TRIGGER_429)
  async triggerPusherEvent(@Req() req: PusherRequest, @Res({ passthrough: true }) res: Response, @Body() body: PusherEventInput) {
    return this.pusher.afterDeliveries(await this.pusher.triggerEvents(req.pusherTenant!, body, (k, v) => res.setHeader(k, v)));
  }

  @Post('batch_events')
  @HttpCode(200)
  @PusherScope('events:trigger')
  @ApiOperation({ summary: 'Trigger up to 10 events, each on one channel' })
  @ApiBody({ schema: { example: { batch: [{ name: 'my-event', data: '{}', channel: 'my-channel' }] } } })
  @ApiOkResponse({ description: TRIGGER_200, schema: { example: {} } })
  @ApiTooManyRequestsResponse(TRIGGER_429)
  async triggerPusherBatch(@Req() req: PusherRequest, @Res({ passthrough: true }) res: Response, @Body() body: { batch?: unknown }) {
    return this.pusher.afterDeliveries(await this.pusher.triggerBatchEvents(req.pusherTenant!, body, (k, v) => res.setHeader(k, v)));
  }

  @Get('channels')
  @PusherScope('channels:read')
  @ApiOperation({ summary: 'Occupied channels, optionally filtered by prefix, with user_count / subscription_count' })
  @ApiQuery({ name: 'filter_by_prefix', required: false })
  @ApiQuery({ name: 'info', required: false, example: 'user_count' })
  @ApiOkResponse({ schema: { example: { channels: { 'presence-room': { user_count: 3 } } } } })
  async listPusherChannels(
    @Req() req: PusherRequest,
    @Res({ passthrough: true }) res: Response,
    @Query('filter_by_prefix') prefix?: string,
    @Query('info') info?: string,
  ) {
    const tenant = req.pusherTenant!;
    await this.pusher.rateLimit(tenant, 'channelInfo', 1, (k, v) => res.setHeader(k, v));
    return this.pusher.listChannels(tenant, prefix, info);
  }

  @Get('channels/:channelName')
  @PusherScope('channels:read')
  @ApiOperation({ summary: 'One channel: occupied, and user_count / subscription_count / cache on request' })
  @ApiQuery({ name: 'info', required: false, example: 'subscription_count,cache' })
  @ApiOkResponse({ schema: { example: { occupied: true, subscription_count: 2 } } })
  async getPusherChannel(
    @Req() req: PusherRequest,
    @Res({ passthrough: true }) res: Response,
    @Param('channelName') channel: string,
    @Query('info') info?: string,
  ) {
    const tenant = req.pusherTenant!;
    await this.pusher.rateLimit(tenant, 'channelInfo', 1, (k, v) => res.setHeader(k, v));
    return this.pusher.channel(tenant, channel, info);
  }

  @Get('channels/:channelName/users')
  @PusherScope('channels:read')
  @ApiOperation({ summary: 'The users present in a presence channel' })
  @ApiOkResponse({ schema: { example: { users: [{ id: '1' }, { id: '2' }] } } })
  async listPusherChannelUsers(@Req() req: PusherRequest, @Res({ passthrough: true }) res: Response, @Param('channelName') channel: string) {
    const tenant = req.pusherTenant!;
    await this.pusher.rateLimit(tenant, 'channelInfo', 1, (k, v) => res.setHeader(k, v));
    return this.pusher.users(tenant, channel);
  }

  @Post('users/:userId/terminate_connections')
  @HttpCode(200)
  @PusherScope('events:trigger')
  @ApiOperation({ summary: "Close every connection signed in as the user, on every instance" })
  @ApiOkResponse({ schema: { example: {} } })
  async terminatePusherUserConnections(@Req() req: PusherRequest, @Res({ passthrough: true }) res: Response, @Param('userId') userId: string) {
    const tenant = req.pusherTenant!;
    await this.pusher.rateLimit(tenant, 'trigger', 1, (k, v) => res.setHeader(k, v));
    return this.pusher.terminate(tenant, userId);
  }
}
