import { Column, Entity, PrimaryColumn } from 'typeorm';

export type RoomRole = 'owner' | 'admin' | 'member';

/** A user's membership of a room, with a role. */
@Entity({ name: 'chat_room_members' })
export class ChatRoomMember {
  @PrimaryColumn({ name: 'room_id', type: 'uuid' })
  roomId: string;

  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @PrimaryColumn({ name: 'user_id', type: 'text' })
  userId: string;

  @Column({ type: 'text' })
  role: RoomRole;

  @Column({ name: 'joined_at', type: 'timestamptz' })
  joinedAt: Date;
}
