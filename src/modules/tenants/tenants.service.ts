import { randomBytes, randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { notFound } from '../../common/domain-error';
import { SecretBox } from '../../infra/crypto/secret-box';
import { TenantCreateDto, TenantResponseDto, TenantRotateSecretDto, TenantUpdateDto } from './dto/tenant.dto';
import { Tenant } from './entities/tenant.entity';
import { TenantPatch, TenantRepository } from './tenant.repository';
import { effectiveLimits, TenantLimits } from './tenant-settings';

/** A tenant with its secrets decrypted, for the code that authenticates and signs on its behalf. */
export interface TenantCredentials {
  tenant: Tenant;
  secret: string;
  jwtSecret: string;
}

const newAppId = () => String(randomInt(100_000_000, 1_000_000_000));
const newKey = () => randomBytes(10).toString('hex');
const newSecret = () => randomBytes(24).toString('hex');

@Injectable()
export class TenantsService {
  constructor(
    private readonly tenants: TenantRepository,
    private readonly box: SecretBox,
  ) {}

  async create(accountId: string, dto: TenantCreateDto): Promise<TenantResponseDto> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const appId = newAppId();
      const secret = newSecret();
      const jwtSecret = newSecret() + newSecret();
      const tenant = await this.tenants.insert({
        accountId,
        name: dto.name.trim(),
        plan: dto.plan ?? 'free',
        appId,
        key: newKey(),
        secretEnc: this.box.encrypt(secret, aad(appId, 'secret')),
        jwtSecretEnc: this.box.encrypt(jwtSecret, aad(appId, 'jwtSecret')),
      });
      if (tenant) return this.view(tenant, { secret, jwtSecret });
    }
    throw new Error('Could not allocate a unique tenant appId/key');
  }

  async list(accountId: string): Promise<TenantResponseDto[]> {
    return (await this.tenants.listForAccount(accountId)).map((t) => this.view(t));
  }

  async get(accountId: string, id: string): Promise<TenantResponseDto> {
    const tenant = await this.owned(accountId, id, true);
    return this.view(tenant, this.decrypt(tenant));
  }

  /** Whether the account owns this tenant (used when binding API keys to it). */
  async isOwnedBy(accountId: string, id: string): Promise<boolean> {
    return isUUID(id) && (await this.tenants.getForAccount(accountId, id)) !== null;
  }

  async update(accountId: string, id: string, dto: TenantUpdateDto): Promise<TenantResponseDto> {
    const current = await this.owned(accountId, id);
    const patch: TenantPatch = {};
    if (dto.name !== undefined) patch.name = dto.name.trim();
    if (dto.plan !== undefined) patch.plan = dto.plan;
    if (dto.enabled !== undefined) patch.enabled = dto.enabled;
    if (dto.settings) patch.settings = merge(current.settings, dto.settings);
    if (dto.limits) patch.limits = merge(current.limits, dto.limits) as TenantLimits;
    if (Object.keys(patch).length > 0) await this.tenants.update(accountId, id, patch);
    return this.get(accountId, id);
  }

  async rotateSecret(accountId: string, id: string, dto: TenantRotateSecretDto): Promise<TenantResponseDto> {
    const tenant = await this.owned(accountId, id);
    const target = dto.target ?? 'secret';
    const fresh = target === 'secret' ? newSecret() : newSecret() + newSecret();
    const encrypted = this.box.encrypt(fresh, aad(tenant.appId, target));
    await this.tenants.update(accountId, id, target === 'secret' ? { secretEnc: encrypted } : { jwtSecretEnc: encrypted });
    return this.get(accountId, id);
  }

  async remove(accountId: string, id: string): Promise<void> {
    if (!isUUID(id) || !(await this.tenants.delete(accountId, id))) throw notFound('Tenant');
  }

  /** The tenant with this public key and its decrypted secrets, or null. */
  async credentialsByKey(key: string): Promise<TenantCredentials | null> {
    const tenant = await this.tenants.findByKeyWithSecrets(key);
    return tenant ? { tenant, ...this.decrypt(tenant) } : null;
  }

  /** The tenant with this appId and its decrypted secrets, or null. */
  async credentialsByAppId(appId: string): Promise<TenantCredentials | null> {
    const tenant = await this.tenants.findByAppIdWithSecrets(appId);
    return tenant ? { tenant, ...this.decrypt(tenant) } : null;
  }

  /** The tenant with this id and its decrypted secrets, or null. */
  async credentialsById(id: string): Promise<TenantCredentials | null> {
    const tenant = isUUID(id) ? await this.tenants.findByIdWithSecrets(id) : null;
    return tenant ? { tenant, ...this.decrypt(tenant) } : null;
  }

  /** The id of the account's tenant named by id, appId or public key, or null when it owns none such. */
  async findOwnedTenantId(accountId: string, ref: string): Promise<string | null> {
    if (ref.length === 0 || ref.length > 100) return null;
    return (await this.tenants.findForAccountByRef(accountId, ref))?.id ?? null;
  }

  private async owned(accountId: string, id: string, withSecrets = false): Promise<Tenant> {
    const tenant = isUUID(id) ? await this.tenants.getForAccount(accountId, id, withSecrets) : null;
    if (!tenant) throw notFound('Tenant');
    return tenant;
  }

  private decrypt(t: Tenant): { secret: string; jwtSecret: string } {
    return {
      secret: this.box.decrypt(t.secretEnc, aad(t.appId, 'secret')),
      jwtSecret: this.box.decrypt(t.jwtSecretEnc, aad(t.appId, 'jwtSecret')),
    };
  }

  private view(t: Tenant, secrets?: { secret: string; jwtSecret: string }): TenantResponseDto {
    return {
      id: t.id,
      name: t.name,
      plan: t.plan,
      appId: t.appId,
      key: t.key,
      ...(secrets ?? {}),
      enabled: t.enabled,
      settings: t.settings,
      limitOverrides: t.limits,
      limits: effectiveLimits(t.plan, t.limits),
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
    };
  }
}

/** Binds a ciphertext to its tenant and field, so it cannot be moved to another row. */
const aad = (appId: string, field: string) => `tenant:${appId}:${field}`;

/** Shallow merge where `null` removes a key. */
function merge<T extends object>(current: T, changes: object): T {
  const next = { ...current } as Record<string, unknown>;
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete next[k];
    else if (v !== undefined) next[k] = v;
  }
  return next as T;
}
