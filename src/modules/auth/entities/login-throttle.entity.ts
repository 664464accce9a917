import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Failed-login counters per e-mail and per IP (`email:<addr>`, `ip:<addr>`); expired rows are purged by the maintenance job. */
@Entity({ name: 'login_throttle' })
export class LoginThrottle {
  @PrimaryColumn({ type: 'text' })
  key: string;

  @Column({ type: 'integer' })
  failures: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Index()
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
