import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Account } from './entities/account.entity';

export type NewAccount = Pick<Account, 'email' | 'name' | 'passwordHash' | 'usageMonth' | 'usageResetAt'>;

@Injectable()
export class AccountRepository {
  constructor(@InjectRepository(Account) private readonly repo: Repository<Account>) {}

  /** Inserts an account; returns null when the e-mail is taken (unique violation). */
  async insert(values: NewAccount): Promise<Account | null> {
    const result = await this.repo
      .createQueryBuilder()
      .insert()
      .values(values)
      .orIgnore()
      .returning('*')
      .execute();
    const row = result.generatedMaps[0] as Partial<Account> | undefined;
    return row?.id ? this.getById(row.id) : null;
  }

  getById(id: string): Promise<Account | null> {
    return this.repo.findOneBy({ id });
  }

  /** With the password hash, for login only. */
  findByEmailWithPassword(email: string): Promise<Account | null> {
    return this.repo.createQueryBuilder('a').addSelect('a.passwordHash').where('a.email = :email', { email }).getOne();
  }

  async recordLogin(id: string, at: Date): Promise<void> {
    await this.repo.update({ id }, { lastLoginAt: at });
  }

  async rollUsageMonth(id: string, month: string, at: Date): Promise<void> {
    await this.repo
      .createQueryBuilder()
      .update()
      .set({ usageMonth: month, tokensUsed: 0, usageResetAt: at })
      .where('id = :id AND usage_month <> :month', { id, month })
      .execute();
  }

  /**
   * Adds LLM tokens to the account's usage of `month`, rolling the month over in the same statement
   * (a new month starts from these tokens), so concurrent charges never lose an update.
   * Returns the month's total, or null when the account is gone.
   */
  async addTokenUsage(id: string, month: string, tokens: number, at: Date): Promise<number | null> {
    const rows = (await this.repo.query(
      `UPDATE accounts SET
         tokens_used = CASE WHEN usage_month = $2 THEN tokens_used + $3 ELSE $3 END,
         usage_reset_at = CASE WHEN usage_month = $2 THEN usage_reset_at ELSE $4 END,
         usage_month = $2
       WHERE id = $1
       RETURNING tokens_used`,
      [id, month, tokens, at],
    )) as [Array<{ tokens_used: string }>, number] | Array<{ tokens_used: string }>;
    const list = Array.isArray(rows[0]) ? (rows[0] as Array<{ tokens_used: string }>) : (rows as Array<{ tokens_used: string }>);
    return list.length ? Number(list[0].tokens_used) : null;
  }
}
