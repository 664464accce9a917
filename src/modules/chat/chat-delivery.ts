import { Injectable } from '@nestjs/common';
import { RealtimeHub } from '../../realtime/hub/realtime-hub.service';
import { chatMessageEventData, messageView } from './chat-views';
import { conversationChannel, roomPresenceChannel } from './chat-names';
import type { MessageResponseDto } from './dto/message.dto';
import type { MessageRow } from './message.repository';
import type { RoomRow } from './room.repository';

export type MessageEventName = 'message' | 'message_updated' | 'message_deleted';

const CONVERSATION_EVENT: Record<MessageEventName, string> = {
  message: 'chat_message',
  message_updated: 'chat_message_updated',
  message_deleted: 'chat_message_deleted',
};

/**
 * Everything chat sends to clients, through the hub, always after the change is committed:
 * - room events go to every connection of every member, on every instance (the hub's user
 *   delivery: `{"type":"message","data":{...}}`), so membership decides who receives, at once;
 * - messages are also published on `conversation:<room>` as seed 004 `chat_message` events;
 * - typing goes to the connections that joined the room (its presence channel).
 */
@Injectable()
export class ChatDelivery {
  constructor(private readonly hub: RealtimeHub) {}

  message(
    tenantId: string,
    room: Pick<RoomRow, 'id' | 'name' | 'visibility'>,
    message: MessageRow,
    memberIds: string[],
    name: MessageEventName,
    excludeSocketId?: string,
    view: MessageResponseDto = messageView(room, message),
  ): void {
    // Serialised once for every member connection.
    const dataJson = JSON.stringify(view);
    this.hub.publishToUsers(tenantId, memberIds, { name, dataJson, excludeSocketId });
    this.hub.publish(tenantId, conversationChannel(room.name, room.visibility), {
      name: CONVERSATION_EVENT[name],
      dataJson: JSON.stringify(chatMessageEventData(view)),
      userId: message.senderId,
    });
  }

  /** A receipt for the sender of the message: `{"type":"receipt","data":{room, messageId, userId, status, timestamp}}`. */
  receipt(tenantId: string, senderId: string, data: { room: string; roomId: string; messageId: string; userId: string; status: string }): void {
    this.hub.publishToUser(tenantId, senderId, { name: 'receipt', dataJson: JSON.stringify({ ...data, timestamp: new Date().toISOString() }) });
  }

  typing(tenantId: string, room: string, userId: string, isTyping: boolean, excludeSocketId: string): void {
    const dataJson = JSON.stringify({ room, userId, isTyping });
    this.hub.publish(tenantId, roomPresenceChannel(room), { name: 'typing', dataJson, userId, excludeSocketId });
  }

  /** A room-level event (room_deleted, room_joined, room_left) for the users it concerns. */
  toUsers(tenantId: string, userIds: string[], name: string, data: unknown): void {
    const dataJson = JSON.stringify(data);
    this.hub.publishToUsers(tenantId, userIds, { name, dataJson });
  }
}
