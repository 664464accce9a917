import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Chat keys that carry the tenant, for the message batch insert's sake:
 * - Room members keyed by (room_id, tenant_id, user_id). Every member query names the tenant and
 *   the room; with the old key (room_id, user_id) a table without statistics yet (a new deployment,
 *   a new bench database) was planned through the (tenant_id, user_id) index instead, reading every
 *   member of the tenant for each room a batch touched. With tenant_id in the key, the key is the
 *   longer match whatever the statistics say. room_id stays first: a room's deletion cascades by it.
 * - A message references its room by (tenant_id, room_id): one foreign-key check per stored
 *   message instead of two (tenant, then room), and a message can no longer name a tenant other
 *   than its room's. A tenant's deletion still removes its messages, through its rooms.
 */
export class ChatKeys1764300000000 implements MigrationInterface {
  name = 'ChatKeys1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE chat_room_members DROP CONSTRAINT chat_room_members_pkey, ADD CONSTRAINT chat_room_members_pkey PRIMARY KEY (room_id, tenant_id, user_id)`,
    );
    await q.query(`ALTER TABLE chat_rooms ADD CONSTRAINT chat_rooms_tenant_id_unique UNIQUE (tenant_id, id)`);
    // NOT VALID, then VALIDATE: existing messages are checked without blocking writes meanwhile.
    await q.query(
      `ALTER TABLE chat_messages DROP CONSTRAINT chat_messages_tenant_id_fkey, DROP CONSTRAINT chat_messages_room_id_fkey,
         ADD CONSTRAINT chat_messages_room_fkey FOREIGN KEY (tenant_id, room_id) REFERENCES chat_rooms (tenant_id, id) ON DELETE CASCADE NOT VALID`,
    );
    await q.query(`ALTER TABLE chat_messages VALIDATE CONSTRAINT chat_messages_room_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE chat_messages DROP CONSTRAINT chat_messages_room_fkey,
         ADD CONSTRAINT chat_messages_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
         ADD CONSTRAINT chat_messages_room_id_fkey FOREIGN KEY (room_id) REFERENCES chat_rooms (id) ON DELETE CASCADE`,
    );
    await q.query(`ALTER TABLE chat_rooms DROP CONSTRAINT chat_rooms_tenant_id_unique`);
    await q.query(`ALTER TABLE chat_room_members DROP CONSTRAINT chat_room_members_pkey, ADD CONSTRAINT chat_room_members_pkey PRIMARY KEY (room_id, user_id)`);
  }
}
