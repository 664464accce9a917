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
}
