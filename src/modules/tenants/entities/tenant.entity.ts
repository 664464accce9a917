import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { PlanName } from '../plans';
import type { TenantLimits, TenantSettings } from '../tenant-settings';

/** An isolated namespace ("app", "project"). `secret` and `jwtSecret` are stored encrypted. */
@Entity({ name: 'tenants' })
export class Tenant {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ name: 'account_id', type: 'uuid' })
  accountId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  plan: PlanName;

  @Column({ name: 'app_id', type: 'text', unique: true })
  appId: string;

  @Column({ type: 'text', unique: true })
  key: string;

  @Column({ name: 'secret_enc', type: 'text', select: false })
  secretEnc: string;

  @Column({ name: 'jwt_secret_enc', type: 'text', select: false })
  jwtSecretEnc: string;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'jsonb', default: {} })
  settings: TenantSettings;

  @Column({ type: 'jsonb', default: {} })
  limits: TenantLimits;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
