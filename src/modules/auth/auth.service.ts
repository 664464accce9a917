import { Inject, Injectable } from '@nestjs/common';
import argon2 from 'argon2';
import { authenticationError, conflict, notFound, validationError } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { AccountRepository } from './account.repository';
import { AccountTokenService } from './account-token.service';
import { AccountView, toAccountView } from './account.view';
import { LoginThrottleService } from './login-throttle.service';
import { passwordWeakness } from './password-policy';

const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface Session {
  token: string;
  user: AccountView;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function currentMonth(at = new Date()): string {
  return at.toISOString().slice(0, 7);
}

@Injectable()
export class AuthService {
  /** Verified against when the e-mail is unknown, so both failures take the same time. */
  private readonly dummyHash = argon2.hash('relaybase-timing-equaliser', ARGON2_OPTIONS);

  constructor(
    private readonly accounts: AccountRepository,
    private readonly tokens: AccountTokenService,
    private readonly throttle: LoginThrottleService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async register(input: { email: string; password: string; name: string }): Promise<Session> {
    const email = normaliseEmail(input.email);
    const weakness = passwordWeakness(input.password, email);
    if (weakness) throw validationError(weakness, { fields: ['password'] });
    const now = new Date();
    const account = await this.accounts.insert({
      email,
      name: input.name.trim(),
      passwordHash: await argon2.hash(input.password, ARGON2_OPTIONS),
      usageMonth: currentMonth(now),
      usageResetAt: now,
    });
    if (!account) throw conflict('An account with this e-mail already exists');
    return { token: this.tokens.issue(account.id), user: toAccountView(account, this.config.tokenQuotaPerMonth) };
  }

  async login(input: { email: string; password: string }, ip: string): Promise<Session> {
    const email = normaliseEmail(input.email);
    await this.throttle.assertAllowed(email, ip);
    const account = await this.accounts.findByEmailWithPassword(email);
    const valid = await argon2.verify(account?.passwordHash ?? (await this.dummyHash), input.password);
    if (!account || !valid) {
      await this.throttle.recordFailure(email, ip);
      throw authenticationError('Invalid email or password');
    }
    await this.throttle.recordSuccess(email);
    const now = new Date();
    await this.accounts.recordLogin(account.id, now);
    account.lastLoginAt = now;
    return { token: this.tokens.issue(account.id), user: toAccountView(account, this.config.tokenQuotaPerMonth) };
  }

  async me(accountId: string): Promise<AccountView> {
    const month = currentMonth();
    let account = await this.accounts.getById(accountId);
    if (account && account.usageMonth !== month) {
      await this.accounts.rollUsageMonth(accountId, month, new Date());
      account = await this.accounts.getById(accountId);
    }
    if (!account) throw notFound('Account');
    return toAccountView(account, this.config.tokenQuotaPerMonth);
  }
}
