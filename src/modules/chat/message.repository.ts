import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface MessageRow {
  id: string;
  /** Position in the room's history (bigint as a string). */
  seq: string;
  roomId: string;
  senderId: string;
  payload: unknown;
  clientMessageId: string | null;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
}

export interface MessagePage {
  /** Oldest first. */
  messages: MessageRow[];
  /** Whether more messages lie beyond the page in the direction it was read. */
  hasMore: boolean;
}

const COLUMNS = `id, seq::text AS seq, room_id AS "roomId", sender_id AS "senderId", payload, client_message_id AS "clientMessageId",
  created_at AS "createdAt", edited_at AS "editedAt", deleted_at AS "deletedAt"`;

/** Messages of rooms. Every query takes the tenant id first. */
@Injectable()
export class MessageRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Stores a message, or finds the one the same sender already stored with the same clientMessageId
   * in the room (a retried send): `created` says which. One statement, so a concurrent retry either
   * inserts or finds the committed row.
   */
  async insert(
    tenantId: string,
    roomId: string,
    senderId: string,
    payload: unknown,
    clientMessageId: string | null,
  ): Promise<{ message: MessageRow; created: boolean }> {
    const params = [tenantId, roomId, senderId, JSON.stringify(payload), clientMessageId];
    const inserted: MessageRow[] = await this.db.query(
      `INSERT INTO chat_messages (tenant_id, room_id, sender_id, payload, client_message_id) VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (tenant_id, room_id, sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
       RETURNING ${COLUMNS}`,
      params,
    );
    if (inserted[0]) return { message: inserted[0], created: true };
    const existing: MessageRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM chat_messages WHERE tenant_id = $1 AND room_id = $2 AND sender_id = $3 AND client_message_id = $4`,
      [tenantId, roomId, senderId, clientMessageId],
    );
    return { message: existing[0], created: false };
  }

  async get(tenantId: string, roomId: string, id: string): Promise<MessageRow | null> {
    const rows = await this.db.query(`SELECT ${COLUMNS} FROM chat_messages WHERE tenant_id = $1 AND room_id = $2 AND id = $3`, [tenantId, roomId, id]);
    return rows[0] ?? null;
  }

  /**
   * A page of history: the newest `limit` messages; or the `limit` just before a message (scrolling
   * back); or the `limit` just after one (catching up after a reconnect). Oldest first either way.
   */
  async page(tenantId: string, roomId: string, cursor: { before?: MessageRow; after?: MessageRow }, limit: number): Promise<MessagePage> {
    const forward = cursor.after !== undefined;
    const bound = cursor.after?.seq ?? cursor.before?.seq ?? null;
    const rows: MessageRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM chat_messages
       WHERE tenant_id = $1 AND room_id = $2 AND ($3::bigint IS NULL OR ${forward ? 'seq > $3' : 'seq < $3'})
       ORDER BY chat_messages.seq ${forward ? 'ASC' : 'DESC'} LIMIT $4`,
      [tenantId, roomId, bound, limit + 1],
    );
    const hasMore = rows.length > limit;
    const messages = rows.slice(0, limit);
    if (!forward) messages.reverse();
    return { messages, hasMore };
  }

  async edit(tenantId: string, roomId: string, id: string, payload: unknown): Promise<MessageRow | null> {
    const [rows] = await this.db.query(
      `UPDATE chat_messages SET payload = $4::jsonb, edited_at = now()
       WHERE tenant_id = $1 AND room_id = $2 AND id = $3 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
      [tenantId, roomId, id, JSON.stringify(payload)],
    );
    return rows[0] ?? null;
  }

  /** Deletes the content and keeps the row, so history has no holes and cursors stay valid. */
  async tombstone(tenantId: string, roomId: string, id: string): Promise<MessageRow | null> {
    const [rows] = await this.db.query(
      `UPDATE chat_messages SET payload = NULL, deleted_at = now()
       WHERE tenant_id = $1 AND room_id = $2 AND id = $3 AND deleted_at IS NULL RETURNING ${COLUMNS}`,
      [tenantId, roomId, id],
    );
    return rows[0] ?? null;
  }

  /** Messages of others after `seq` that are not deleted: the unread count above a read marker. */
  async countUnread(tenantId: string, roomId: string, userId: string, afterSeq: string): Promise<number> {
    const rows: { n: number }[] = await this.db.query(
      `SELECT count(*)::int AS n FROM chat_messages
       WHERE tenant_id = $1 AND room_id = $2 AND seq > $4::bigint AND sender_id <> $3 AND deleted_at IS NULL`,
      [tenantId, roomId, userId, afterSeq],
    );
    return rows[0].n;
  }
}
