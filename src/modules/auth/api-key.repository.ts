import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiKey } from './entities/api-key.entity';

export type NewApiKey = Pick<ApiKey, 'accountId' | 'tenantId' | 'name' | 'prefix' | 'lastChars' | 'keyHash' | 'scopes'>;

/** Every query is scoped by the owning account, except the lookup by hash that authenticates a key. */
@Injectable()
export class ApiKeyRepository {
  constructor(@InjectRepository(ApiKey) private readonly repo: Repository<ApiKey>) {}

  /** Inserts a key; returns null when the account already has an active key with that name. */
  async insert(values: NewApiKey): Promise<ApiKey | null> {
    const result = await this.repo.createQueryBuilder().insert().values(values).orIgnore().returning('*').execute();
    const id = (result.generatedMaps[0] as Partial<ApiKey> | undefined)?.id;
    return id ? this.repo.findOneBy({ id, accountId: values.accountId }) : null;
  }

  listActive(accountId: string): Promise<ApiKey[]> {
    return this.repo.find({ where: { accountId, isActive: true }, order: { createdAt: 'DESC' } });
  }

  /** Deactivates the key; returns false when the account has no active key with that id. */
  async revoke(accountId: string, id: string, at: Date): Promise<boolean> {
    const result = await this.repo.update({ id, accountId, isActive: true }, { isActive: false, revokedAt: at });
    return (result.affected ?? 0) > 0;
  }

  /** The active key with this hash, with its stored hash for a constant-time comparison. */
  findActiveByHash(keyHash: string): Promise<ApiKey | null> {
    return this.repo
      .createQueryBuilder('k')
      .addSelect('k.keyHash')
      .where('k.key_hash = :keyHash AND k.is_active', { keyHash })
      .getOne();
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.repo.update({ id }, { lastUsedAt: at });
  }
}
