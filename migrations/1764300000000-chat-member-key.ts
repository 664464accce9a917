import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Room members keyed by (room_id, tenant_id, user_id). Every member query names the tenant and the
 * room; with the old key (room_id, user_id) a table without statistics yet (a new deployment, a new
 * bench database) was planned through the (tenant_id, user_id) index instead, reading every member
 * of the tenant for each room a message batch touched. With tenant_id in the key, the key is the
 * longer match whatever the statistics say. room_id stays first: a room's deletion cascades by it.
 */
export class ChatMemberKey1764300000000 implements MigrationInterface {
  name = 'ChatMemberKey1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE chat_room_members DROP CONSTRAINT chat_room_members_pkey, ADD CONSTRAINT chat_room_members_pkey PRIMARY KEY (room_id, tenant_id, user_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE chat_room_members DROP CONSTRAINT chat_room_members_pkey, ADD CONSTRAINT chat_room_members_pkey PRIMARY KEY (room_id, user_id)`);
  }
}
