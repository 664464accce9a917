import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { LoginThrottle } from './entities/login-throttle.entity';

@Injectable()
export class LoginThrottleRepository {
  constructor(@InjectRepository(LoginThrottle) private readonly repo: Repository<LoginThrottle>) {}

  /** The latest lock among these keys, if any is still locked. */
  async lockedUntil(keys: string[]): Promise<Date | null> {
    const row = await this.repo
      .createQueryBuilder('t')
      .select('max(t.locked_until)', 'until')
      .where('t.key IN (:...keys) AND t.locked_until > now()', { keys })
      .getRawOne<{ until: Date | null }>();
    return row?.until ? new Date(row.until) : null;
  }

  /**
   * Counts one failure against `key` in one atomic statement: a fresh window when the last one has
   * expired, and a lock for `lockSeconds` once `max` failures fall inside the window.
   */
  async recordFailure(key: string, max: number, windowSeconds: number, lockSeconds: number): Promise<void> {
    await this.repo.query(
      `INSERT INTO login_throttle (key, failures, locked_until, expires_at)
       VALUES ($1, 1, CASE WHEN 1 >= $2 THEN now() + make_interval(secs => $4) END, now() + make_interval(secs => greatest($3, $4)))
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN login_throttle.expires_at <= now() THEN 1 ELSE login_throttle.failures + 1 END,
         locked_until = CASE
           WHEN (CASE WHEN login_throttle.expires_at <= now() THEN 1 ELSE login_throttle.failures + 1 END) >= $2
           THEN now() + make_interval(secs => $4) ELSE login_throttle.locked_until END,
         expires_at = CASE WHEN login_throttle.expires_at <= now()
           THEN now() + make_interval(secs => greatest($3, $4))
           ELSE greatest(login_throttle.expires_at, now() + make_interval(secs => $4)) END`,
      [key, max, windowSeconds, lockSeconds],
    );
  }

  async clear(key: string): Promise<void> {
    await this.repo.delete({ key });
  }

  /** Deletes entries whose window and lock have both ended; returns how many. */
  async purgeExpired(): Promise<number> {
    const result = await this.repo
      .createQueryBuilder()
      .delete()
      .where('expires_at <= now() AND (locked_until IS NULL OR locked_until <= now())')
      .execute();
    return result.affected ?? 0;
  }
}
