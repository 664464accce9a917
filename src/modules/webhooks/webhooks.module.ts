import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TenantsModule } from '../tenants/tenants.module';
import { WebhookDelivery } from './entities/webhook-delivery.entity';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookEndpointDirectory } from './webhook-endpoint.directory';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';
import { WebhookDispatcher } from './webhook.dispatcher';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';
import { WEBHOOKS_QUEUE } from './webhooks.queue';

/** Webhook endpoints, the delivery log and queue; exports WebhookDispatcher for event producers. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEndpoint, WebhookDelivery]), BullModule.registerQueue({ name: WEBHOOKS_QUEUE }), TenantsModule],
  controllers: [WebhooksController],
  providers: [
    WebhookEndpointRepository,
    WebhookDeliveryRepository,
    WebhookEndpointDirectory,
    WebhookDeliveryService,
    WebhookDeliveryProcessor,
    WebhookDispatcher,
    WebhooksService,
  ],
  exports: [WebhookDispatcher],
})
export class WebhooksModule {}
