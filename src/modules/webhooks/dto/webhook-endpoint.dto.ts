import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { WEBHOOK_EVENT_NAMES, WEBHOOK_FORMATS, WebhookEventName, WebhookFormat } from '../webhook-event';

const eventsDoc =
  'Events to receive. Occupancy: channel_occupied, channel_vacated (held 3 s, see WEBHOOK_FLAP_SUPPRESS_MS); presence: ' +
  'member_added, member_removed (held likewise); connection_established, connection_disconnected, client_event, cache_miss, ' +
  'subscription_count; chat: message_created, notification_created.';
const headersDoc =
  'Extra request headers (at most 20; values are strings). They cannot set Content-Type, Host, User-Agent or the ' +
  'X-Pusher-* / X-Relaybase-* headers, which Relaybase signs.';

export class WebhookEndpointCreateDto {
  @ApiProperty({ example: 'https://example.com/hooks/relaybase', description: 'http(s) only; private, loopback and link-local hosts are refused unless WEBHOOK_ALLOW_PRIVATE=true' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_NAMES, isArray: true, example: ['channel_occupied', 'channel_vacated'], description: eventsDoc })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @ArrayMaxSize(WEBHOOK_EVENT_NAMES.length)
  @IsIn(WEBHOOK_EVENT_NAMES, { each: true, message: `each value in events must be one of: ${WEBHOOK_EVENT_NAMES.join(', ')}` })
  events: WebhookEventName[];

  @ApiPropertyOptional({ example: 'presence-', description: 'Only events on channels starting with this; events without a channel are not filtered' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  channelPrefix?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_FORMATS, default: 'pusher', description: 'pusher: Pusher webhook body and X-Pusher-* signature; native: Relaybase body with a timestamped signature' })
  @IsOptional()
  @IsIn(WEBHOOK_FORMATS)
  format?: WebhookFormat;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { Authorization: 'Bearer abc' }, description: headersDoc })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ default: false, description: 'Gather events for up to 250 ms, at most 20 per request' })
  @IsOptional()
  @IsBoolean()
  batch?: boolean;
}

export class WebhookEndpointUpdateDto {
  @ApiPropertyOptional({ example: 'https://example.com/hooks/relaybase' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_NAMES, isArray: true, description: eventsDoc })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @ArrayMaxSize(WEBHOOK_EVENT_NAMES.length)
  @IsIn(WEBHOOK_EVENT_NAMES, { each: true, message: `each value in events must be one of: ${WEBHOOK_EVENT_NAMES.join(', ')}` })
  events?: WebhookEventName[];

  @ApiPropertyOptional({ nullable: true, type: String, description: 'null removes the filter' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  channelPrefix?: string | null;

  @ApiPropertyOptional({ enum: WEBHOOK_FORMATS })
  @IsOptional()
  @IsIn(WEBHOOK_FORMATS)
  format?: WebhookFormat;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, description: `Replaces the headers. ${headersDoc}` })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  batch?: boolean;
}

export class WebhookEndpointResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ example: 'https://example.com/hooks/relaybase' }) url: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_NAMES, isArray: true }) events: string[];
  @ApiProperty({ nullable: true, type: String }) channelPrefix: string | null;
  @ApiProperty({ enum: WEBHOOK_FORMATS }) format: WebhookFormat;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) headers: Record<string, string>;
  @ApiProperty() active: boolean;
  @ApiProperty() batch: boolean;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class WebhookTestResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The X-Relaybase-Delivery header the ping carried' }) deliveryId: string;
  @ApiProperty({ description: 'The receiver answered 2xx' }) ok: boolean;
  @ApiProperty({ nullable: true, type: Number, example: 200 }) statusCode: number | null;
  @ApiProperty({ nullable: true, type: String, example: null }) error: string | null;
  @ApiProperty({ example: 42 }) latencyMs: number;
}
