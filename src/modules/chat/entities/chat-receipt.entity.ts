import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A user's receipt markers in a room: the last message delivered to and read by them. Markers only
 * move forward; everything up to a marker counts as delivered / read, so unread counts are cheap.
 */
@Entity({ name: 'chat_receipts' })
export class ChatReceipt {
  @PrimaryColumn({ name: 'room_id', type: 'uuid' })
  roomId: string;

  @PrimaryColumn({ name: 'user_id', type: 'text' })
  userId: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'delivered_seq', type: 'bigint' })
  deliveredSeq: string;

  @Column({ name: 'delivered_message_id', type: 'uuid', nullable: true })
  deliveredMessageId: string | null;

  @Column({ name: 'read_seq', type: 'bigint' })
  readSeq: string;

  @Column({ name: 'read_message_id', type: 'uuid', nullable: true })
  readMessageId: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
