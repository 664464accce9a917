import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A person who operates Relaybase. Owns tenants, API keys and (later) feeds. */
@Entity({ name: 'accounts' })
export class Account {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored lower-cased and trimmed: unique case-insensitively. */
  @Column({ type: 'text', unique: true })
  email: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash: string;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  /** `YYYY-MM` of the month that `tokensUsed` counts. */
  @Column({ name: 'usage_month', type: 'text' })
  usageMonth: string;

  @Column({ name: 'tokens_used', type: 'bigint', default: 0, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  tokensUsed: number;

  /** Monthly token limit; null means the configured default. */
  @Column({ name: 'token_limit', type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  tokenLimit: number | null;

  @Column({ name: 'usage_reset_at', type: 'timestamptz' })
  usageResetAt: Date;

  @Column({ name: 'overdraft_allowed', type: 'boolean', default: false })
  overdraftAllowed: boolean;

  @Column({ name: 'two_factor_enabled', type: 'boolean', default: false })
  twoFactorEnabled: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
