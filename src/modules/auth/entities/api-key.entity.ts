import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An API key. Only a SHA-256 hash of the key is stored, with its prefix and last 8 characters for display. */
@Entity({ name: 'api_keys' })
@Index('api_keys_account_name_active', ['accountId', 'name'], { unique: true, where: 'is_active' })
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  /** When set, the key acts only on this tenant. */
  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: string | null;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  prefix: string;

  @Column({ name: 'last_chars', type: 'text' })
  lastChars: string;

  @Column({ name: 'key_hash', type: 'text', unique: true, select: false })
  keyHash: string;

  @Column({ type: 'text', array: true })
  scopes: string[];

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
