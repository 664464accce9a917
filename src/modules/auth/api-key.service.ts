import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { authenticationError, conflict, notFound } from '../../common/domain-error';
import { constantTimeEqual } from '../../common/constant-time';
import { TenantsService } from '../tenants/tenants.service';
import { generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key-format';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKey } from './entities/api-key.entity';
import { ApiKeyPrincipal } from './principal';
import { Scope } from './scopes';

/** lastUsedAt is written at most this often per key per process, not on every request. */
const TOUCH_INTERVAL_MS = 60_000;

export interface ApiKeyView {
  _id: string;
  name: string;
  prefix: string;
  lastChars: string;
  scopes: string[];
  tenantId: string | null;
  isActive: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

@Injectable()
export class ApiKeyService {
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly tenants: TenantsService,
  ) {}

  /** Creates a key and returns it in full, the only time it is ever shown. */
  async create(accountId: string, input: { name: string; scopes: Scope[]; tenantId?: string }): Promise<{ key: string; apiKey: ApiKeyView }> {
    const tenantId = input.tenantId ?? null;
    if (tenantId && !(await this.tenants.isOwnedBy(accountId, tenantId))) throw notFound('Tenant');
    const generated = generateApiKey();
    const row = await this.keys.insert({
      accountId,
      tenantId,
      name: input.name.trim(),
      prefix: generated.prefix,
      lastChars: generated.lastChars,
      keyHash: generated.hash,
      scopes: [...new Set(input.scopes)],
    });
    if (!row) throw conflict('An API key with this name already exists');
    return { key: generated.key, apiKey: toView(row) };
  }

  async list(accountId: string): Promise<ApiKeyView[]> {
    return (await this.keys.listActive(accountId)).map(toView);
  }

  async revoke(accountId: string, id: string): Promise<void> {
    if (!isUUID(id) || !(await this.keys.revoke(accountId, id, new Date()))) throw notFound('API key');
  }

  /** Resolves a presented key, or throws AUTHENTICATION_ERROR for an unknown, malformed or revoked one. */
  async authenticate(presented: string): Promise<ApiKeyPrincipal> {
    if (!isWellFormedApiKey(presented)) throw authenticationError('Invalid API key');
    const hash = hashApiKey(presented);
    const row = await this.keys.findActiveByHash(hash);
    if (!row || !constantTimeEqual(row.keyHash, hash)) throw authenticationError('Invalid API key');
    this.touch(row.id);
    return { kind: 'apiKey', accountId: row.accountId, apiKeyId: row.id, scopes: row.scopes, tenantId: row.tenantId };
  }

  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.lastTouched.get(id) ?? 0) < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(id, now);
    // Best effort: a failed bookkeeping write must not fail the request it rides on.
    this.keys.touch(id, new Date(now)).catch(() => this.lastTouched.delete(id));
  }
}

function toView(k: ApiKey): ApiKeyView {
  return {
    _id: k.id,
    name: k.name,
    prefix: k.prefix,
    lastChars: k.lastChars,
    scopes: k.scopes,
    tenantId: k.tenantId,
    isActive: k.isActive,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
  };
}
