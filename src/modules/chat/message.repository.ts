import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import type { RoomVisibility } from './entities/chat-room.entity';

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

/** A message to store: the id is chosen by the caller, so that a batch's rows map back to their senders. */
export interface NewMessage {
  id: string;
  tenantId: string;
  roomId: string;
  senderId: string;
  payload: unknown;
  /** The payload, serialised as JSON. */
  payloadJson: string;
  clientMessageId: string | null;
}

/** The rows a batch stored (in room order) and, for their rooms, what delivering them needs. */
export interface StoredBatch {
  stored: { id: string; seq: string; createdAt: Date }[];
  rooms: Map<string, StoredRoom>;
}

export interface StoredRoom {
  id: string;
  name: string;
  visibility: RoomVisibility;
  /** The room's members when the batch was stored. */
  memberIds: string[];
}

const COLUMNS = `id, seq::text AS seq, room_id AS "roomId", sender_id AS "senderId", payload, client_message_id AS "clientMessageId",
  created_at AS "createdAt", edited_at AS "editedAt", deleted_at AS "deletedAt"`;

/** node-postgres' pool, for a named (prepared) statement. */
interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** Messages of rooms. Every query takes the tenant id first. */
@Injectable()
export class MessageRepository {
  private pool: PgPool | null | undefined;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The hot statement as a named prepared statement on the driver's pool: parsed once per
   * connection and its plan cached, instead of at every batch (planning the CTE cost about as much
   * as running a 30-row batch). Embedded mode keeps the plain TypeORM path: there every connection
   * shares PGlite's one session, where a name prepared by one connection collides with the next's.
   */
  private async hot<T>(name: string, text: string, values: unknown[]): Promise<T[]> {
    if (this.pool === undefined) {
      const master = (this.db.driver as unknown as { master?: Partial<PgPool> }).master;
      this.pool = this.config.database.url && typeof master?.query === 'function' ? (master as PgPool) : null;
    }
    if (this.pool) return (await this.pool.query({ name, text, values })).rows as T[];
    return this.db.query(text, values);
  }

  /**
   * Group commit: stores a batch of messages with one multi-row INSERT (one statement, so one
   * transaction and one commit), in the order given. A row is stored only if its sender is a member
   * of the room when the statement runs, and unless the sender already stored the same
   * clientMessageId in the room (an earlier row of the same batch included). Answers what the
   * caller does not know yet — each stored row's seq and timestamp, and each room's name,
   * visibility and member ids for delivery — as one row of two JSON arrays, cheap to decode.
   */
  async insertBatch(rows: NewMessage[]): Promise<StoredBatch> {
    const result = await this.hot<{ messages: [string, string, string][]; rooms: [string, string, RoomVisibility, string[]][] }>(
      'chat_messages_insert_batch',
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[])
           WITH ORDINALITY AS u(id, tenant_id, room_id, sender_id, payload, client_message_id, ord)
       ), ins AS (
         INSERT INTO chat_messages (id, tenant_id, room_id, sender_id, payload, client_message_id)
         SELECT i.id, i.tenant_id, i.room_id, i.sender_id, i.payload::jsonb, i.client_message_id FROM input i
         WHERE EXISTS (SELECT 1 FROM chat_room_members m WHERE m.room_id = i.room_id AND m.user_id = i.sender_id AND m.tenant_id = i.tenant_id)
         ORDER BY i.ord
         ON CONFLICT (tenant_id, room_id, sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
         RETURNING id, seq, room_id, tenant_id, created_at
       )
       SELECT
         (SELECT coalesce(json_agg(json_build_array(ins.id, ins.seq::text, ins.created_at) ORDER BY ins.seq), '[]') FROM ins) AS messages,
         (SELECT coalesce(json_agg(json_build_array(r.id, r.name, r.visibility,
                   ARRAY(SELECT m.user_id FROM chat_room_members m WHERE m.tenant_id = r.tenant_id AND m.room_id = r.id))), '[]')
            FROM chat_rooms r WHERE (r.tenant_id, r.id) IN (SELECT ins.tenant_id, ins.room_id FROM ins)) AS rooms`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.tenantId),
        rows.map((r) => r.roomId),
        rows.map((r) => r.senderId),
        rows.map((r) => r.payloadJson),
        rows.map((r) => r.clientMessageId),
      ],
    );
    const { messages, rooms } = result[0];
    return {
      stored: messages.map(([id, seq, createdAt]) => ({ id, seq, createdAt: new Date(createdAt) })),
      rooms: new Map(rooms.map(([id, name, visibility, memberIds]) => [id, { id, name, visibility, memberIds }])),
    };
  }

  /**
   * The messages that senders already stored with these clientMessageIds (retried sends), for the
   * senders that are still members of the rooms.
   */
  findRetried(keys: { tenantId: string; roomId: string; senderId: string; clientMessageId: string }[]): Promise<MessageRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM chat_messages
       JOIN unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) AS k(k_tenant, k_room, k_sender, k_client_id)
         ON chat_messages.tenant_id = k.k_tenant AND chat_messages.room_id = k.k_room
         AND chat_messages.sender_id = k.k_sender AND chat_messages.client_message_id = k.k_client_id
       WHERE EXISTS (SELECT 1 FROM chat_room_members m WHERE m.room_id = k.k_room AND m.user_id = k.k_sender AND m.tenant_id = k.k_tenant)`,
      [keys.map((k) => k.tenantId), keys.map((k) => k.roomId), keys.map((k) => k.senderId), keys.map((k) => k.clientMessageId)],
    );
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
