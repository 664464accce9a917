import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chat: rooms, members, messages (ordered by `seq`, idempotent per sender by client_message_id),
 * per-user receipt markers per room, and notifications. Every table carries tenant_id.
 */
export class Chat1764000000000 implements MigrationInterface {
  name = 'Chat1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE chat_rooms (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL,
        visibility text NOT NULL CHECK (visibility IN ('public', 'private')),
        metadata jsonb NOT NULL DEFAULT '{}',
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT chat_rooms_tenant_name_unique UNIQUE (tenant_id, name)
      )`);
    await q.query(`
      CREATE TABLE chat_room_members (
        room_id uuid NOT NULL REFERENCES chat_rooms(id) ON DELETE CASCADE,
        user_id text NOT NULL,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
        joined_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room_id, user_id)
      )`);
    // The room list: the rooms a user is in.
    await q.query(`CREATE INDEX chat_room_members_tenant_user ON chat_room_members (tenant_id, user_id)`);
    await q.query(`
      CREATE TABLE chat_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        room_id uuid NOT NULL REFERENCES chat_rooms(id) ON DELETE CASCADE,
        sender_id text NOT NULL,
        payload jsonb,
        client_message_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        edited_at timestamptz,
        deleted_at timestamptz
      )`);
    // History and catch-up pages, and unread counts (seq above a read marker).
    await q.query(`CREATE UNIQUE INDEX chat_messages_room_seq ON chat_messages (room_id, seq)`);
    // A retried send with the same clientMessageId finds the first message instead of storing a second.
    await q.query(
      `CREATE UNIQUE INDEX chat_messages_idempotency ON chat_messages (tenant_id, room_id, sender_id, client_message_id) WHERE client_message_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE chat_receipts (
        room_id uuid NOT NULL REFERENCES chat_rooms(id) ON DELETE CASCADE,
        user_id text NOT NULL,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        delivered_seq bigint NOT NULL DEFAULT 0,
        delivered_message_id uuid,
        read_seq bigint NOT NULL DEFAULT 0,
        read_message_id uuid,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room_id, user_id)
      )`);
    await q.query(`
      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seq bigint GENERATED ALWAYS AS IDENTITY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        user_id text NOT NULL,
        type text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        read_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX notifications_user_seq ON notifications (tenant_id, user_id, seq DESC)`);
    await q.query(`CREATE INDEX notifications_user_unread ON notifications (tenant_id, user_id, seq DESC) WHERE read_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TABLE chat_receipts`);
    await q.query(`DROP TABLE chat_messages`);
    await q.query(`DROP TABLE chat_room_members`);
    await q.query(`DROP TABLE chat_rooms`);
  }
}
