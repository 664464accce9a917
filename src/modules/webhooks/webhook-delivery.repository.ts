import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { DeliveryStatus, WebhookDelivery } from './entities/webhook-delivery.entity';

export type NewWebhookDelivery = Pick<WebhookDelivery, 'id' | 'tenantId' | 'endpointId' | 'eventNames' | 'format' | 'body' | 'redeliveryOf'>;

export interface AttemptRecord {
  status: DeliveryStatus;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
  startedAt: Date;
  nextAttemptAt: Date | null;
}

export interface DeliveryPageQuery {
  status?: DeliveryStatus;
  limit: number;
  /** Keyset cursor: the id of the last row of the previous page. */
  after?: string;
}

/** The delivery log. Reads that serve callers take the tenant id; the worker's reads go by delivery id. */
@Injectable()
export class WebhookDeliveryRepository {
  constructor(@InjectRepository(WebhookDelivery) private readonly repo: Repository<WebhookDelivery>) {}

  async insert(values: NewWebhookDelivery): Promise<WebhookDelivery> {
    const result = await this.repo
      .createQueryBuilder()
      .insert()
      .values({ ...values, status: 'pending', attempts: 0 })
      .returning('id')
      .execute();
    return (await this.findForWorker((result.identifiers[0] as { id: string }).id))!;
  }

  getForTenant(tenantId: string, endpointId: string, id: string): Promise<WebhookDelivery | null> {
    return this.repo.findOne({ where: { tenantId, endpointId, id } });
  }

  /** The body of a tenant's delivery (for redelivery). */
  async bodyForTenant(tenantId: string, id: string): Promise<string | null> {
    const row = await this.repo.createQueryBuilder('d').addSelect('d.body').where('d.id = :id AND d.tenant_id = :tenantId', { id, tenantId }).getOne();
    return row?.body ?? null;
  }

  page(tenantId: string, endpointId: string, q: DeliveryPageQuery): Promise<WebhookDelivery[]> {
    const qb = this.repo
      .createQueryBuilder('d')
      .where('d.tenant_id = :tenantId AND d.endpoint_id = :endpointId', { tenantId, endpointId })
      .orderBy('d.created_at', 'DESC')
      .addOrderBy('d.id', 'DESC')
      .take(q.limit);
    if (q.status) qb.andWhere('d.status = :status', { status: q.status });
    if (q.after) {
      // Exact keyset on (created_at, id), compared in the database to keep microsecond precision.
      qb.andWhere(
        '(d.created_at, d.id) < (SELECT c.created_at, c.id FROM webhook_deliveries c WHERE c.id = :after AND c.tenant_id = :tenantId)',
        { after: q.after },
      );
    }
    return qb.getMany();
  }

  /** The worker's view of a delivery, body included. */
  findForWorker(id: string): Promise<WebhookDelivery | null> {
    return this.repo.createQueryBuilder('d').addSelect('d.body').where('d.id = :id', { id }).getOne();
  }

  /**
   * Records one attempt, but only while the delivery is still open: a row that is already
   * succeeded or dead is never changed back. Returns whether it was recorded.
   */
  async recordAttempt(id: string, a: AttemptRecord): Promise<boolean> {
    const final = a.status === 'succeeded' || a.status === 'dead';
    const result = await this.repo
      .createQueryBuilder()
      .update()
      .set({
        status: a.status,
        attempts: () => 'attempts + 1',
        lastStatusCode: a.statusCode,
        lastError: a.error,
        lastLatencyMs: a.latencyMs,
        firstAttemptAt: () => 'COALESCE(first_attempt_at, :startedAt)',
        lastAttemptAt: a.startedAt,
        nextAttemptAt: a.nextAttemptAt,
        completedAt: final ? new Date() : null,
      })
      .where('id = :id AND status IN (:...open)', { id, open: ['pending', 'failed'], startedAt: a.startedAt })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Closes an open delivery without an attempt (endpoint disabled, tenant gone). */
  async markDead(id: string, reason: string): Promise<void> {
    await this.repo.update({ id, status: In(['pending', 'failed']) }, { status: 'dead', lastError: reason, nextAttemptAt: null, completedAt: new Date() });
  }

  /** Open deliveries not touched for `olderThanMs`, for re-enqueueing after a crash or a failed enqueue. */
  listStaleOpen(olderThanMs: number, limit: number): Promise<Pick<WebhookDelivery, 'id' | 'status'>[]> {
    return this.repo
      .createQueryBuilder('d')
      .select(['d.id', 'd.status'])
      .where(`d.status IN ('pending', 'failed') AND d.updated_at < now() - make_interval(secs => :secs)`, { secs: olderThanMs / 1000 })
      .orderBy('d.updated_at', 'ASC')
      .take(limit)
      .getMany();
  }

  /** Bumps updated_at so a re-enqueued row is not picked up again at once. */
  async touch(id: string): Promise<void> {
    await this.repo.createQueryBuilder().update().set({ updatedAt: () => 'now()' }).where('id = :id', { id }).execute();
  }
}
