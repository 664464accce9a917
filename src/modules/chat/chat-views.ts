import type { MessageResponseDto, ReceiptMarkerDto } from './dto/message.dto';
import type { MessageRow } from './message.repository';
import type { ReceiptRow } from './receipt.repository';
import type { RoomRow } from './room.repository';

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/** A message as clients see it, over REST and WebSocket alike. */
export function messageView(room: Pick<RoomRow, 'id' | 'name'>, m: MessageRow): MessageResponseDto {
  return {
    id: m.id,
    room: room.name,
    roomId: room.id,
    sender: m.senderId,
    payload: m.payload,
    clientMessageId: m.clientMessageId,
    timestamp: iso(m.createdAt)!,
    editedAt: iso(m.editedAt),
    deletedAt: iso(m.deletedAt),
  };
}

/** Seed 004's `chat_message` data, plus the ids a client needs to act on the message. */
export function chatMessageEventData(room: Pick<RoomRow, 'id' | 'name'>, m: MessageRow) {
  return {
    conversation_id: room.name,
    sender_id: m.senderId,
    content: m.payload,
    message_id: m.id,
    room_id: room.id,
    timestamp: iso(m.createdAt),
    edited_at: iso(m.editedAt),
    deleted_at: iso(m.deletedAt),
  };
}

export function receiptMarkerView(r: ReceiptRow): ReceiptMarkerDto {
  return { userId: r.userId, deliveredMessageId: r.deliveredMessageId, readMessageId: r.readMessageId, updatedAt: r.updatedAt };
}
