import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { DELIVERY_STATUSES, DeliveryStatus } from '../entities/webhook-delivery.entity';
import { WEBHOOK_FORMATS, WebhookFormat } from '../webhook-event';
import { PageLimit } from '../../../common/page-limit.decorator';

export class WebhookDeliveryListQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @PageLimit(20)
  limit?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsUUID()
  cursor?: string;
}

export class WebhookDeliveryResponseDto {
  @ApiProperty({ format: 'uuid', description: 'Also the X-Relaybase-Delivery header and the queue job id' }) id: string;
  @ApiProperty({ format: 'uuid' }) endpointId: string;
  @ApiProperty({ example: ['channel_occupied'], description: 'Names of the events in the body, in order' }) events: string[];
  @ApiProperty({ enum: WEBHOOK_FORMATS }) format: WebhookFormat;
  @ApiProperty({ enum: DELIVERY_STATUSES, description: 'pending: not attempted yet; failed: last attempt failed, retry scheduled; succeeded; dead: retries exhausted' })
  status: DeliveryStatus;
  @ApiProperty({ example: 1 }) attempts: number;
  @ApiProperty({ nullable: true, type: Number, example: 200 }) lastStatusCode: number | null;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 35, description: 'Duration of the last attempt' }) latencyMs: number | null;
  @ApiProperty({ nullable: true, type: Date }) firstAttemptAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) lastAttemptAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) nextAttemptAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) completedAt: Date | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) redeliveryOf: string | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: WebhookDeliveryResponseDto, isArray: true, description: 'Newest first' }) items: WebhookDeliveryResponseDto[];
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'Pass as cursor for the next page; null on the last page' })
  nextCursor: string | null;
}
