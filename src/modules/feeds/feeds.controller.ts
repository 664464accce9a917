import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ok } from '../../common/api-response';
import { ApiEnvelopeResponse, ApiErrorResponses } from '../../infra/swagger/api-responses';
import { AccountOnly, AccountOrApiKey, CurrentPrincipal, Public } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import {
  FeedAiPromptDto,
  FeedCreateDto,
  FeedDocumentDto,
  FeedPopularQueryDto,
  FeedSearchQueryDto,
  FeedStatusDto,
  FeedSubscriptionDto,
  FeedTopicDto,
  FeedUpdateDto,
} from './dto/feed.dto';
import { FeedsService } from './feeds.service';

type Listed<T> = ApiEnvelope<T[]> & { count: number };
const listed = <T>(data: T[]): Listed<T> => ({ success: true, data, count: data.length });
const COUNT = { count: { type: 'integer', example: 1 } };

/** Accounts act through their JWT or any of their API keys; the guard has rejected everyone else. */
/** OpenAPI's empty security requirement: the route needs no credential. */
const Anonymous = () => ApiSecurity({});

const accountOf = (p: Principal): string => (p.kind === 'endUser' ? '' : p.accountId);

/**
 * Seed 003's feed marketplace. Browsing public feeds needs no credential; creating and changing feeds
 * needs the account's JWT; reading a feed (public or own), its status and topics, and subscribing
 * accept the account's JWT or one of its API keys.
 */
@ApiTags('Feeds')
@ApiErrorResponses()
@Controller('api/marketplace')
export class FeedsController {
  constructor(private readonly feeds: FeedsService) {}

  @Get('feeds')
  @Public()
  @Anonymous()
  @ApiOperation({ summary: 'List all public feeds (no auth required)' })
  @ApiEnvelopeResponse(FeedDocumentDto, { isArray: true, extra: COUNT })
  async listPublicFeeds(): Promise<Listed<FeedDocumentDto>> {
    return listed(await this.feeds.listPublic());
  }

  @Get('feeds/popular')
  @Public()
  @Anonymous()
  @ApiOperation({ summary: 'Most subscribed public feeds' })
  @ApiEnvelopeResponse(FeedDocumentDto, { isArray: true, extra: COUNT })
  async listPopularFeeds(@Query() query: FeedPopularQueryDto): Promise<Listed<FeedDocumentDto>> {
    return listed(await this.feeds.popular(query.limit ?? 10));
  }

  @Get('feeds/search')
  @Public()
  @Anonymous()
  @ApiOperation({ summary: 'Search public feeds by keyword and category' })
  @ApiEnvelopeResponse(FeedDocumentDto, { isArray: true, extra: COUNT })
  async searchFeeds(@Query() query: FeedSearchQueryDto): Promise<Listed<FeedDocumentDto>> {
    return listed(await this.feeds.search(query.q, query.category));
  }

  @Post('feeds')
  @AccountOnly()
  @ApiOperation({ summary: 'Create a feed' })
  @ApiEnvelopeResponse(FeedDocumentDto, { status: 201 })
  async createFeed(@CurrentPrincipal() p: Principal, @Body() dto: FeedCreateDto): Promise<ApiEnvelope<FeedDocumentDto>> {
    return ok(await this.feeds.create(accountOf(p), dto));
  }

  @Get('feeds/:id')
  @AccountOrApiKey()
  @ApiOperation({ summary: 'One feed: public, or your own' })
  @ApiEnvelopeResponse(FeedDocumentDto)
  async getFeed(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<ApiEnvelope<FeedDocumentDto>> {
    return ok(await this.feeds.get(accountOf(p), id));
  }

  @Put('feeds/:id')
  @AccountOnly()
  @ApiOperation({ summary: 'Change your feed (any field of the create body, topicPrompts and queryInterval included)' })
  @ApiEnvelopeResponse(FeedDocumentDto)
  async updateFeed(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: FeedUpdateDto): Promise<ApiEnvelope<FeedDocumentDto>> {
    return ok(await this.feeds.update(accountOf(p), id, dto));
  }

  @Delete('feeds/:id')
  @AccountOnly()
  @ApiOperation({ summary: 'Delete your feed (its subscriptions go with it; ingestion stops)' })
  @ApiEnvelopeResponse(FeedDocumentDto)
  async deleteFeed(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<ApiEnvelope<null> & { message: string }> {
    await this.feeds.remove(accountOf(p), id);
    return { success: true, data: null, message: 'Feed deleted' };
  }

  @Put('feeds/:id/ai-prompt')
  @AccountOnly()
  @ApiOperation({ summary: 'Set the default AI prompt of your feed' })
  @ApiEnvelopeResponse(FeedDocumentDto)
  async setFeedAiPrompt(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() dto: FeedAiPromptDto,
  ): Promise<ApiEnvelope<Pick<FeedDocumentDto, '_id' | 'name' | 'defaultAIPrompt'>>> {
    return ok(await this.feeds.setAiPrompt(accountOf(p), id, dto));
  }

  @Get('feeds/:id/status')
  @AccountOrApiKey()
  @ApiOperation({ summary: 'Upstream state (connecting, connected, backing_off, stopped), last message, counters, last error' })
  @ApiEnvelopeResponse(FeedStatusDto)
  async getFeedStatus(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<ApiEnvelope<FeedStatusDto>> {
    return ok(await this.feeds.status(accountOf(p), id));
  }

  @Get('feeds/:id/topics')
  @AccountOrApiKey()
  @ApiOperation({ summary: 'Topics seen on a topic-routed feed, with message counts and last seen time' })
  @ApiEnvelopeResponse(FeedTopicDto, { isArray: true, extra: COUNT })
  async listFeedTopics(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<Listed<FeedTopicDto>> {
    return listed(await this.feeds.topics(accountOf(p), id));
  }

  @Post('subscribe/:feedId')
  @HttpCode(200)
  @AccountOrApiKey()
  @ApiOperation({ summary: 'Subscribe to a feed (idempotent); a subscribed, active feed is ingested' })
  @ApiEnvelopeResponse(FeedSubscriptionDto, { extra: { message: { type: 'string', example: 'Subscribed' }, subscription: { type: 'object' } } })
  async subscribeToFeed(
    @CurrentPrincipal() p: Principal,
    @Param('feedId') feedId: string,
  ): Promise<ApiEnvelope<FeedSubscriptionDto> & { message: string; subscription: FeedSubscriptionDto }> {
    const { subscription, created } = await this.feeds.subscribe(accountOf(p), feedId);
    return { success: true, message: created ? 'Subscribed' : 'Already subscribed', subscription, data: subscription };
  }

  @Post('unsubscribe/:feedId')
  @HttpCode(200)
  @AccountOrApiKey()
  @ApiOperation({ summary: 'Unsubscribe from a feed' })
  @ApiEnvelopeResponse(FeedSubscriptionDto, { extra: { message: { type: 'string', example: 'Unsubscribed' } } })
  async unsubscribeFromFeed(@CurrentPrincipal() p: Principal, @Param('feedId') feedId: string): Promise<ApiEnvelope<null> & { message: string }> {
    await this.feeds.unsubscribe(accountOf(p), feedId);
    return { success: true, data: null, message: 'Unsubscribed' };
  }

  @Get('subscriptions')
  @AccountOrApiKey()
  @ApiOperation({ summary: 'Your subscriptions, each with its feed' })
  @ApiEnvelopeResponse(FeedSubscriptionDto, { isArray: true, extra: COUNT })
  async listFeedSubscriptions(@CurrentPrincipal() p: Principal): Promise<Listed<FeedSubscriptionDto>> {
    return listed(await this.feeds.listSubscriptions(accountOf(p)));
  }
}
