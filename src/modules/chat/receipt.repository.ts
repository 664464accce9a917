import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export type ReceiptStatus = 'delivered' | 'read';

export interface ReceiptRow {
  userId: string;
  deliveredSeq: string;
  deliveredMessageId: string | null;
  readSeq: string;
  readMessageId: string | null;
  updatedAt: Date;
}

const COLUMNS = `c.user_id AS "userId", c.delivered_seq::text AS "deliveredSeq", c.delivered_message_id AS "deliveredMessageId",
  c.read_seq::text AS "readSeq", c.read_message_id AS "readMessageId", c.updated_at AS "updatedAt"`;

/** Per-user receipt markers per room. Every query takes the tenant id first. */
@Injectable()
export class ReceiptRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Moves the user's marker(s) forward to the message at `seq` (read implies delivered). Returns the
   * markers when one of them moved, null when the message was already covered.
   */
  async advance(tenantId: string, roomId: string, userId: string, status: ReceiptStatus, seq: string, messageId: string): Promise<ReceiptRow | null> {
    const read = status === 'read';
    const rows: ReceiptRow[] = await this.db.query(
      `INSERT INTO chat_receipts AS c (tenant_id, room_id, user_id, delivered_seq, delivered_message_id, read_seq, read_message_id)
       VALUES ($1, $2, $3, $4::bigint, $5::uuid, CASE WHEN $6::boolean THEN $4::bigint ELSE 0 END, CASE WHEN $6::boolean THEN $5::uuid END)
       ON CONFLICT (room_id, user_id) DO UPDATE SET
         delivered_message_id = CASE WHEN EXCLUDED.delivered_seq > c.delivered_seq THEN EXCLUDED.delivered_message_id ELSE c.delivered_message_id END,
         delivered_seq = GREATEST(c.delivered_seq, EXCLUDED.delivered_seq),
         read_message_id = CASE WHEN EXCLUDED.read_seq > c.read_seq THEN EXCLUDED.read_message_id ELSE c.read_message_id END,
         read_seq = GREATEST(c.read_seq, EXCLUDED.read_seq),
         updated_at = now()
       WHERE c.tenant_id = EXCLUDED.tenant_id AND (EXCLUDED.delivered_seq > c.delivered_seq OR EXCLUDED.read_seq > c.read_seq)
       RETURNING ${COLUMNS}`,
      [tenantId, roomId, userId, seq, messageId, read],
    );
    return rows[0] ?? null;
  }

  async get(tenantId: string, roomId: string, userId: string): Promise<ReceiptRow | null> {
    const rows = await this.db.query(`SELECT ${COLUMNS} FROM chat_receipts c WHERE c.tenant_id = $1 AND c.room_id = $2 AND c.user_id = $3`, [
      tenantId,
      roomId,
      userId,
    ]);
    return rows[0] ?? null;
  }

  /** The markers of the room's current members. */
  list(tenantId: string, roomId: string): Promise<ReceiptRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM chat_receipts c
       JOIN chat_room_members m ON m.room_id = c.room_id AND m.user_id = c.user_id
       WHERE c.tenant_id = $1 AND c.room_id = $2 ORDER BY c.user_id`,
      [tenantId, roomId],
    );
  }
}
