import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageLimit } from '../../../common/page-limit.decorator';

export const QUERY_INTERVALS = [5, 10, 30, 60] as const;

export class FeedCreateDto {
  @ApiProperty({ example: 'Binance Crypto Prices' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional({ example: 'Real-time prices for multiple trading pairs' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiProperty({
    example: 'wss://stream.binance.com:9443/ws',
    description: 'ws:// or wss:// only; private, loopback and link-local hosts are refused unless FEED_ALLOW_PRIVATE_HOSTS=true',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  url: string;

  @ApiPropertyOptional({ example: 'finance', default: 'other' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  category?: string;

  @ApiPropertyOptional({ default: false, description: 'Listed in the marketplace and readable by every account; otherwise only the owner sees it' })
  @IsOptional()
  @IsBoolean()
  isPublic?: boolean;

  @ApiPropertyOptional({ default: true, description: 'An inactive feed is not ingested' })
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;

  @ApiPropertyOptional({ enum: ['websocket'], default: 'websocket' })
  @IsOptional()
  @IsIn(['websocket'])
  connectionType?: 'websocket';

  @ApiPropertyOptional({
    type: [String],
    example: ['{"method":"SUBSCRIBE","params":["btcusdt@ticker","ethusdt@ticker"],"id":1}'],
    description: 'Strings each holding one JSON message, sent to the upstream in order on every (re)connect (at most 20)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(65_536, { each: true })
  connectionMessages?: string[];

  @ApiPropertyOptional({ default: true, description: 'Reconnect with exponential backoff and jitter when the upstream drops' })
  @IsOptional()
  @IsBoolean()
  reconnectionEnabled?: boolean;

  @ApiPropertyOptional({ type: [String], nullable: true, example: ['crypto', 'prices'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(50, { each: true })
  tags?: string[] | null;

  @ApiPropertyOptional({ default: false, description: 'Route messages by topicField; a topic-routed feed does not broadcast raw data' })
  @IsOptional()
  @IsBoolean()
  enableTopicRouting?: boolean;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 's',
    description:
      'Where the topic is in each message: `symbol`, `data.origin`, `[3]`, `path[0]`, `path[-1]`, `data.path[-1]`; ' +
      "a subset of RFC 9535 JSONPath (singular child segments, `$['quoted name']`), the leading `$` optional. Required with enableTopicRouting.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  topicField?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'object', properties: { systemPrompt: { type: 'string' }, question: { type: 'string' } } },
    example: { BTCUSDT: { systemPrompt: 'You are a Bitcoin market analyst.', question: 'What are the key price movements?' } },
  })
  @IsOptional()
  @IsObject()
  topicPrompts?: Record<string, { systemPrompt?: string; question?: string }>;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'You are a financial analyst specializing in cryptocurrency markets.' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  defaultAIPrompt?: string | null;

  @ApiPropertyOptional({ enum: QUERY_INTERVALS, nullable: true, description: 'Seconds between automatic topic analyses; null: the server default' })
  @IsOptional()
  @IsIn(QUERY_INTERVALS, { message: 'queryInterval must be one of 5, 10, 30, 60' })
  queryInterval?: number | null;
}

export class FeedUpdateDto extends PartialType(FeedCreateDto) {}

export class FeedAiPromptDto {
  @ApiProperty({ nullable: true, type: String, example: 'You are a financial analyst specializing in cryptocurrency markets.' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  defaultAIPrompt: string | null;
}

export class FeedPopularQueryDto {
  @PageLimit(10)
  limit?: number;
}

export class FeedSearchQueryDto {
  @ApiPropertyOptional({ example: 'crypto', description: 'Matched against name, description and tags (case-insensitive)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ example: 'finance' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  category?: string;
}

export class FeedDocumentDto {
  @ApiProperty({ format: 'uuid' }) _id: string;
  @ApiProperty() name: string;
  @ApiProperty() description: string;
  @ApiProperty() url: string;
  @ApiProperty() category: string;
  @ApiProperty() isActive: boolean;
  @ApiProperty() isVerified: boolean;
  @ApiProperty() isPublic: boolean;
  @ApiProperty({ example: 'user' }) feedType: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() ownerName: string;
  @ApiProperty({ example: 'websocket' }) connectionType: string;
  @ApiProperty({ type: [String] }) connectionMessages: string[];
  @ApiProperty() reconnectionEnabled: boolean;
  @ApiProperty() subscriberCount: number;
  @ApiProperty({ type: [String], nullable: true }) tags: string[] | null;
  @ApiProperty() enableTopicRouting: boolean;
  @ApiProperty({ nullable: true, type: String }) topicField: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) topicPrompts: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) defaultAIPrompt: string | null;
  @ApiProperty({ nullable: true, type: Number, enum: QUERY_INTERVALS }) queryInterval: number | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class FeedSubscriptionDto {
  @ApiProperty({ format: 'uuid' }) _id: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ format: 'uuid' }) feedId: string;
  @ApiProperty() subscribedAt: Date;
  @ApiProperty() isActive: boolean;
  @ApiPropertyOptional({ type: FeedDocumentDto }) feed?: FeedDocumentDto;
}

export class FeedStatusDto {
  @ApiProperty({ format: 'uuid' }) feedId: string;
  @ApiProperty({ enum: ['connecting', 'connected', 'backing_off', 'stopped'] }) state: string;
  @ApiProperty({ nullable: true, type: String, description: 'The instance holding the ingestion lease' }) ingestedBy: string | null;
  @ApiProperty({ nullable: true, type: String }) lastMessageAt: string | null;
  @ApiProperty({ nullable: true, type: String }) connectedAt: string | null;
  @ApiProperty() messagesReceived: number;
  @ApiProperty() bytesReceived: number;
  @ApiProperty() reconnects: number;
  @ApiProperty({ description: 'Frames over FEED_MAX_FRAME_BYTES, dropped' }) oversizedDropped: number;
  @ApiProperty({ description: 'Topic-routed feeds: messages in which topicField found no topic' }) messagesWithoutTopic: number;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: String }) lastErrorAt: string | null;
}

export class FeedTopicDto {
  @ApiProperty({ example: 'BTCUSDT' }) topic: string;
  @ApiProperty() messageCount: number;
  @ApiProperty({ nullable: true, type: String }) lastSeenAt: string | null;
}
