import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { Tenant } from './entities/tenant.entity';

export type NewTenant = Pick<Tenant, 'accountId' | 'name' | 'plan' | 'appId' | 'key' | 'secretEnc' | 'jwtSecretEnc'>;
export type TenantPatch = Partial<Pick<Tenant, 'name' | 'plan' | 'enabled' | 'settings' | 'limits' | 'secretEnc' | 'jwtSecretEnc'>>;

const WITH_SECRETS = ['t.secretEnc', 't.jwtSecretEnc'];

/** Owner-scoped access to tenants; the two lookups by public key or id serve authentication only. */
@Injectable()
export class TenantRepository {
  constructor(@InjectRepository(Tenant) private readonly repo: Repository<Tenant>) {}

  /** Inserts a tenant; returns null when its generated appId or key collides with an existing one. */
  async insert(values: NewTenant): Promise<Tenant | null> {
    try {
      const result = await this.repo.createQueryBuilder().insert().values(values).returning('id').execute();
      return this.getForAccount(values.accountId, (result.identifiers[0] as { id: string }).id, true);
    } catch (e) {
      if (e instanceof QueryFailedError && (e.driverError as { code?: string }).code === '23505') return null;
      throw e;
    }
  }

  listForAccount(accountId: string): Promise<Tenant[]> {
    return this.repo.find({ where: { accountId }, order: { createdAt: 'ASC' } });
  }

  getForAccount(accountId: string, id: string, withSecrets = false): Promise<Tenant | null> {
    const q = this.repo.createQueryBuilder('t').where('t.id = :id AND t.account_id = :accountId', { id, accountId });
    if (withSecrets) q.addSelect(WITH_SECRETS);
    return q.getOne();
  }

  /** Applies the patch to the account's tenant; returns false when the account has no such tenant. */
  async update(accountId: string, id: string, patch: TenantPatch): Promise<boolean> {
    const result = await this.repo.update({ id, accountId }, patch);
    return (result.affected ?? 0) > 0;
  }

  async delete(accountId: string, id: string): Promise<boolean> {
    const result = await this.repo.delete({ id, accountId });
    return (result.affected ?? 0) > 0;
  }

  /** For authenticating connections and end-user tokens by the tenant's public key. */
  findByKeyWithSecrets(key: string): Promise<Tenant | null> {
    return this.repo.createQueryBuilder('t').addSelect(WITH_SECRETS).where('t.key = :key', { key }).getOne();
  }

  /** For authenticating requests that name the tenant by appId (Pusher REST). */
  findByAppIdWithSecrets(appId: string): Promise<Tenant | null> {
    return this.repo.createQueryBuilder('t').addSelect(WITH_SECRETS).where('t.app_id = :appId', { appId }).getOne();
  }

  /** For the realtime hub, which knows a connection's tenant by id (from an API key or end-user token). */
  findByIdWithSecrets(id: string): Promise<Tenant | null> {
    return this.repo.createQueryBuilder('t').addSelect(WITH_SECRETS).where('t.id = :id', { id }).getOne();
  }

  /** The account's tenant named by id, appId or public key (`?tenant=` on WebSocket and channel routes). */
  findForAccountByRef(accountId: string, ref: string): Promise<Tenant | null> {
    return this.repo
      .createQueryBuilder('t')
      .where('t.account_id = :accountId AND (CAST(t.id AS text) = :ref OR t.app_id = :ref OR t.key = :ref)', { accountId, ref })
      .getOne();
  }
}
