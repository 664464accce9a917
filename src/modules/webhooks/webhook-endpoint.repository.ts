import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity';

export type NewWebhookEndpoint = Pick<WebhookEndpoint, 'tenantId' | 'url' | 'events' | 'channelPrefix' | 'format' | 'headers' | 'active' | 'batch'>;
export type WebhookEndpointPatch = Partial<Omit<NewWebhookEndpoint, 'tenantId'>>;

/** Tenant-scoped access to webhook endpoints: every query takes the tenant id. */
@Injectable()
export class WebhookEndpointRepository {
  constructor(@InjectRepository(WebhookEndpoint) private readonly repo: Repository<WebhookEndpoint>) {}

  async insert(values: NewWebhookEndpoint): Promise<WebhookEndpoint> {
    const result = await this.repo.createQueryBuilder().insert().values(values).returning('id').execute();
    return (await this.get(values.tenantId, (result.identifiers[0] as { id: string }).id))!;
  }

  list(tenantId: string): Promise<WebhookEndpoint[]> {
    return this.repo.find({ where: { tenantId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  listActive(tenantId: string): Promise<WebhookEndpoint[]> {
    return this.repo.find({ where: { tenantId, active: true }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  get(tenantId: string, id: string): Promise<WebhookEndpoint | null> {
    return this.repo.findOne({ where: { tenantId, id } });
  }

  count(tenantId: string): Promise<number> {
    return this.repo.count({ where: { tenantId } });
  }

  async update(tenantId: string, id: string, patch: WebhookEndpointPatch): Promise<boolean> {
    const result = await this.repo.update({ tenantId, id }, patch);
    return (result.affected ?? 0) > 0;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const result = await this.repo.delete({ tenantId, id });
    return (result.affected ?? 0) > 0;
  }
}
