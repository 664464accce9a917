import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface NotificationRow {
  id: string;
  seq: string;
  userId: string;
  type: string;
  data: unknown;
  readAt: Date | null;
  createdAt: Date;
}

const COLUMNS = `id, seq::text AS seq, user_id AS "userId", type, data, read_at AS "readAt", created_at AS "createdAt"`;

/** Notifications of end users. Every query takes the tenant id first. */
@Injectable()
export class NotificationRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** One row per user, in one transaction: all of them are stored or none. */
  insertMany(tenantId: string, userIds: string[], type: string, data: unknown): Promise<NotificationRow[]> {
    return this.db.transaction(async (m: EntityManager) => {
      const rows: NotificationRow[] = await m.query(
        `INSERT INTO notifications (tenant_id, user_id, type, data)
         SELECT $1, u, $3, $4::jsonb FROM unnest($2::text[]) WITH ORDINALITY AS t(u, n) ORDER BY n
         RETURNING ${COLUMNS}`,
        [tenantId, userIds, type, JSON.stringify(data)],
      );
      return rows;
    });
  }

  /** Newest first; `before` is the seq of the last notification of the previous page. */
  async page(tenantId: string, userId: string, options: { unreadOnly: boolean; beforeSeq: string | null; limit: number }): Promise<NotificationRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM notifications
       WHERE tenant_id = $1 AND user_id = $2 AND (NOT $3::boolean OR read_at IS NULL) AND ($4::bigint IS NULL OR seq < $4)
       ORDER BY notifications.seq DESC LIMIT $5`,
      [tenantId, userId, options.unreadOnly, options.beforeSeq, options.limit],
    );
  }

  async get(tenantId: string, userId: string, id: string): Promise<NotificationRow | null> {
    const rows = await this.db.query(`SELECT ${COLUMNS} FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND id = $3`, [tenantId, userId, id]);
    return rows[0] ?? null;
  }

  async countUnread(tenantId: string, userId: string): Promise<number> {
    const rows: { n: number }[] = await this.db.query(
      `SELECT count(*)::int AS n FROM notifications WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL`,
      [tenantId, userId],
    );
    return rows[0].n;
  }

  /** Marks read (keeping the first read time); null when the user has no such notification. */
  async markRead(tenantId: string, userId: string, id: string): Promise<NotificationRow | null> {
    const [rows] = await this.db.query(
      `UPDATE notifications SET read_at = COALESCE(read_at, now()) WHERE tenant_id = $1 AND user_id = $2 AND id = $3 RETURNING ${COLUMNS}`,
      [tenantId, userId, id],
    );
    return rows[0] ?? null;
  }

  async markAllRead(tenantId: string, userId: string): Promise<number> {
    const [, affected] = await this.db.query(`UPDATE notifications SET read_at = now() WHERE tenant_id = $1 AND user_id = $2 AND read_at IS NULL`, [
      tenantId,
      userId,
    ]);
    return affected;
  }
}
