import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { LoginThrottleRepository } from './login-throttle.repository';

/**
 * Slows password guessing: after LOGIN_MAX_FAILURES_PER_EMAIL failures for one e-mail (or
 * LOGIN_MAX_FAILURES_PER_IP from one address) within LOGIN_LOCKOUT_SECONDS, further attempts get
 * 429 until the lock ends. Counters live in Postgres, so every instance sees the same ones.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly repo: LoginThrottleRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async assertAllowed(email: string, ip: string): Promise<void> {
    const until = await this.repo.lockedUntil([emailKey(email), ipKey(ip)]);
    if (until) {
      const retryAfter = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
      throw new DomainError('RATE_LIMIT_EXCEEDED', 'Too many failed login attempts; try again later', undefined, retryAfter);
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const { maxFailuresPerEmail, maxFailuresPerIp, lockoutSeconds } = this.config.auth.login;
    await this.repo.recordFailure(emailKey(email), maxFailuresPerEmail, lockoutSeconds, lockoutSeconds);
    await this.repo.recordFailure(ipKey(ip), maxFailuresPerIp, lockoutSeconds, lockoutSeconds);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.repo.clear(emailKey(email));
  }

  purgeExpired(): Promise<number> {
    return this.repo.purgeExpired();
  }
}

const emailKey = (email: string) => `email:${email}`;
const ipKey = (ip: string) => `ip:${ip}`;
