import type { MessageResponseDto, ReceiptMarkerDto } from './dto/message.dto';
import type { MessageRow } from './message.repository';
import type { ReceiptRow } from './receipt.repository';
import type { RoomRow } from './room.repository';

const iso = (d: Date | string | null): string | null => (d === null ? null : d instanceof Date ? d.toISOString() : new Date(d).toISOString());

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

/** Seed 004's `chat_message` data, plus the ids a client needs to act on the message: the same message as `messageView`. */
export function chatMessageEventData(view: MessageResponseDto) {
  return {
    conversation_id: view.room,
    sender_id: view.sender,
    content: view.payload,
    message_id: view.id,
    room_id: view.roomId,
    timestamp: view.timestamp,
    edited_at: view.editedAt,
    deleted_at: view.deletedAt,
  };
}

export function receiptMarkerView(r: ReceiptRow): ReceiptMarkerDto {
  return { userId: r.userId, deliveredMessageId: r.deliveredMessageId, readMessageId: r.readMessageId, updatedAt: r.updatedAt };
}
