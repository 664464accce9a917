import { Inject, Injectable } from '@nestjs/common';
import { DomainError, notFound } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { AccountRepository } from '../auth/account.repository';
import { currentMonth } from '../auth/auth.service';

export interface QuotaState {
  used: number;
  limit: number;
  overdraftAllowed: boolean;
}

export const quotaExceeded = (s: QuotaState) =>
  new DomainError('QUOTA_EXCEEDED', `Monthly LLM token quota exhausted (${s.used} of ${s.limit} tokens used); it resets at the start of next month`, {
    tokensUsed: s.used,
    limit: s.limit,
  });

/**
 * Monthly LLM token quotas of accounts (`accounts.tokens_used` for `usage_month`; the limit is
 * `token_limit` or TOKEN_QUOTA_PER_MONTH). A call is allowed while the month's usage is under the
 * limit (or the account may overdraw); what the provider reports is added after the call, atomically.
 */
@Injectable()
export class TokenQuotaService {
  constructor(
    private readonly accounts: AccountRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async state(accountId: string): Promise<QuotaState> {
    const a = await this.accounts.getById(accountId);
    if (!a) throw notFound('Account');
    return {
      used: a.usageMonth === currentMonth() ? a.tokensUsed : 0,
      limit: a.tokenLimit ?? this.config.tokenQuotaPerMonth,
      overdraftAllowed: a.overdraftAllowed,
    };
  }

  /** QUOTA_EXCEEDED (429) when the account has used its month's tokens and may not overdraw. */
  async assertAvailable(accountId: string): Promise<void> {
    const s = await this.state(accountId);
    if (s.used >= s.limit && !s.overdraftAllowed) throw quotaExceeded(s);
  }

  async charge(accountId: string, tokens: number): Promise<void> {
    if (tokens <= 0) return;
    await this.accounts.addTokenUsage(accountId, currentMonth(), Math.ceil(tokens), new Date());
  }
}
