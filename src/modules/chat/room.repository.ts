import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { RoomRole } from './entities/chat-room-member.entity';
import type { RoomVisibility } from './entities/chat-room.entity';

export interface RoomRow {
  id: string;
  tenantId: string;
  name: string;
  visibility: RoomVisibility;
  metadata: Record<string, unknown>;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A room as one user sees it in the list: their role (null when not a member) and unread count. */
export interface RoomListRow extends RoomRow {
  role: RoomRole | null;
  unreadCount: number | null;
  memberCount: number;
  lastMessageAt: Date | null;
}

export interface MemberRow {
  userId: string;
  role: RoomRole;
  joinedAt: Date;
}

const ROOM_COLUMNS = `r.id, r.tenant_id AS "tenantId", r.name, r.visibility, r.metadata, r.created_by AS "createdBy",
  r.created_at AS "createdAt", r.updated_at AS "updatedAt"`;

/** Rooms and their members. Every query takes the tenant id first. */
@Injectable()
export class RoomRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  async byId(tenantId: string, id: string, m: EntityManager = this.db.manager): Promise<RoomRow | null> {
    const rows = await m.query(`SELECT ${ROOM_COLUMNS} FROM chat_rooms r WHERE r.tenant_id = $1 AND r.id = $2`, [tenantId, id]);
    return rows[0] ?? null;
  }

  async byName(tenantId: string, name: string, m: EntityManager = this.db.manager): Promise<RoomRow | null> {
    const rows = await m.query(`SELECT ${ROOM_COLUMNS} FROM chat_rooms r WHERE r.tenant_id = $1 AND r.name = $2`, [tenantId, name]);
    return rows[0] ?? null;
  }

  /** Inserts unless the name is taken in the tenant; null when it is. */
  async insert(
    tenantId: string,
    values: { name: string; visibility: RoomVisibility; metadata: Record<string, unknown>; createdBy: string },
    m: EntityManager = this.db.manager,
  ): Promise<RoomRow | null> {
    const rows = await m.query(
      `INSERT INTO chat_rooms AS r (tenant_id, name, visibility, metadata, created_by) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, name) DO NOTHING RETURNING ${ROOM_COLUMNS}`,
      [tenantId, values.name, values.visibility, JSON.stringify(values.metadata), values.createdBy],
    );
    return rows[0] ?? null;
  }

  async update(
    tenantId: string,
    id: string,
    patch: { visibility?: RoomVisibility; metadata?: Record<string, unknown> },
  ): Promise<RoomRow | null> {
    const rows = await this.db.query(
      `UPDATE chat_rooms r SET visibility = COALESCE($3, r.visibility), metadata = COALESCE($4::jsonb, r.metadata), updated_at = now()
       WHERE r.tenant_id = $1 AND r.id = $2 RETURNING ${ROOM_COLUMNS}`,
      [tenantId, id, patch.visibility ?? null, patch.metadata === undefined ? null : JSON.stringify(patch.metadata)],
    );
    return rows[0]?.[0] ?? null;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const [, affected] = await this.db.query(`DELETE FROM chat_rooms WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
    return affected > 0;
  }

  /** The rooms a user is in plus the tenant's public rooms, by name, with unread counts for the user's rooms. */
  list(tenantId: string, userId: string, options: { after?: string; limit: number; joinedOnly: boolean; only?: string }): Promise<RoomListRow[]> {
    return this.db.query(
      `SELECT ${ROOM_COLUMNS}, m.role,
         CASE WHEN m.user_id IS NULL THEN NULL ELSE (
           SELECT count(*)::int FROM chat_messages cm
           WHERE cm.room_id = r.id AND cm.seq > COALESCE(rc.read_seq, 0) AND cm.sender_id <> $2 AND cm.deleted_at IS NULL
         ) END AS "unreadCount",
         (SELECT count(*)::int FROM chat_room_members mm WHERE mm.room_id = r.id) AS "memberCount",
         (SELECT max(cm.created_at) FROM chat_messages cm WHERE cm.room_id = r.id) AS "lastMessageAt"
       FROM chat_rooms r
       LEFT JOIN chat_room_members m ON m.room_id = r.id AND m.user_id = $2
       LEFT JOIN chat_receipts rc ON rc.room_id = r.id AND rc.user_id = $2
       WHERE r.tenant_id = $1 AND (m.user_id IS NOT NULL OR (r.visibility = 'public' AND NOT $5::boolean))
         AND ($3::text IS NULL OR r.name > $3) AND ($6::uuid IS NULL OR r.id = $6)
       ORDER BY r.name LIMIT $4`,
      [tenantId, userId, options.after ?? null, options.limit, options.joinedOnly, options.only ?? null],
    );
  }

  async member(tenantId: string, roomId: string, userId: string, m: EntityManager = this.db.manager): Promise<MemberRow | null> {
    const rows = await m.query(
      `SELECT user_id AS "userId", role, joined_at AS "joinedAt" FROM chat_room_members WHERE tenant_id = $1 AND room_id = $2 AND user_id = $3`,
      [tenantId, roomId, userId],
    );
    return rows[0] ?? null;
  }

  /** Adds a member; false when already one (the role is left as it was). */
  async addMember(tenantId: string, roomId: string, userId: string, role: RoomRole, m: EntityManager = this.db.manager): Promise<boolean> {
    const rows = await m.query(
      `INSERT INTO chat_room_members (tenant_id, room_id, user_id, role) VALUES ($1, $2, $3, $4)
       ON CONFLICT (room_id, tenant_id, user_id) DO NOTHING RETURNING user_id`,
      [tenantId, roomId, userId, role],
    );
    return rows.length > 0;
  }

  async setRole(tenantId: string, roomId: string, userId: string, role: RoomRole): Promise<boolean> {
    const [, affected] = await this.db.query(`UPDATE chat_room_members SET role = $4 WHERE tenant_id = $1 AND room_id = $2 AND user_id = $3`, [
      tenantId,
      roomId,
      userId,
      role,
    ]);
    return affected > 0;
  }

  async removeMember(tenantId: string, roomId: string, userId: string): Promise<boolean> {
    const [, affected] = await this.db.query(`DELETE FROM chat_room_members WHERE tenant_id = $1 AND room_id = $2 AND user_id = $3`, [
      tenantId,
      roomId,
      userId,
    ]);
    return affected > 0;
  }

  members(tenantId: string, roomId: string): Promise<MemberRow[]> {
    return this.db.query(
      `SELECT user_id AS "userId", role, joined_at AS "joinedAt" FROM chat_room_members WHERE tenant_id = $1 AND room_id = $2
       ORDER BY joined_at, user_id`,
      [tenantId, roomId],
    );
  }

  async memberIds(tenantId: string, roomId: string): Promise<string[]> {
    const rows: { user_id: string }[] = await this.db.query(`SELECT user_id FROM chat_room_members WHERE tenant_id = $1 AND room_id = $2`, [
      tenantId,
      roomId,
    ]);
    return rows.map((r) => r.user_id);
  }
}
