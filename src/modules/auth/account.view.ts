import { Account } from './entities/account.entity';

/** The account as the API shows it (seed 003's `user` object). */
export interface AccountView {
  _id: string;
  email: string;
  name: string;
  createdAt: Date;
  lastLogin: Date | null;
  tokenUsage: {
    currentMonth: string;
    tokensUsed: number;
    limit: number;
    lastResetDate: Date;
    overdraftAllowed: boolean;
  };
  twoFactorEnabled: boolean;
}

export function toAccountView(a: Account, defaultTokenLimit: number): AccountView {
  return {
    _id: a.id,
    email: a.email,
    name: a.name,
    createdAt: a.createdAt,
    lastLogin: a.lastLoginAt,
    tokenUsage: {
      currentMonth: a.usageMonth,
      tokensUsed: a.tokensUsed,
      limit: a.tokenLimit ?? defaultTokenLimit,
      lastResetDate: a.usageResetAt,
      overdraftAllowed: a.overdraftAllowed,
    },
    twoFactorEnabled: a.twoFactorEnabled,
  };
}
