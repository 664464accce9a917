import { Injectable } from '@nestjs/common';
import { notFound } from '../../common/domain-error';
import type { ChatUser } from './chat-actor';
import { ChatDelivery } from './chat-delivery';
import { receiptMarkerView } from './chat-views';
import type { MessageReceiptsResponseDto, ReceiptMarkerDto, ReceiptResponseDto } from './dto/message.dto';
import { MessageRepository } from './message.repository';
import { ReceiptRepository, ReceiptStatus } from './receipt.repository';
import { RoomsService } from './rooms.service';

/** Delivery and read receipts: per-user markers per room, and receipt events for senders. */
@Injectable()
export class ReceiptsService {
  constructor(
    private readonly rooms: RoomsService,
    private readonly messages: MessageRepository,
    private readonly receipts: ReceiptRepository,
    private readonly delivery: ChatDelivery,
  ) {}

  /**
   * Marks a message (and everything before it) delivered or read for the user. When that moves a
   * marker, the message's sender gets a `receipt` event on all their connections.
   */
  async acknowledge(user: ChatUser, ref: string, messageId: string, status: ReceiptStatus): Promise<ReceiptResponseDto> {
    const { room } = await this.rooms.requireMember(user, ref);
    const message = await this.messages.get(user.tenant.id, room.id, messageId);
    if (!message) throw notFound('Message');
    const moved = await this.receipts.advance(user.tenant.id, room.id, user.userId, status, message.seq, message.id);
    if (moved && message.senderId !== user.userId) {
      this.delivery.receipt(user.tenant.id, message.senderId, { room: room.name, roomId: room.id, messageId, userId: user.userId, status });
    }
    const marker = moved ?? (await this.receipts.get(user.tenant.id, room.id, user.userId))!;
    const unreadCount = await this.messages.countUnread(user.tenant.id, room.id, user.userId, marker.readSeq);
    return { ...receiptMarkerView(marker), unreadCount };
  }

  async list(user: ChatUser, ref: string): Promise<ReceiptMarkerDto[]> {
    const { room } = await this.rooms.requireMember(user, ref);
    return (await this.receipts.list(user.tenant.id, room.id)).map(receiptMarkerView);
  }

  /** Who among the members has the message delivered, and who has read it (markers at or past it). */
  async ofMessage(user: ChatUser, ref: string, messageId: string): Promise<MessageReceiptsResponseDto> {
    const { room } = await this.rooms.requireMember(user, ref);
    const message = await this.messages.get(user.tenant.id, room.id, messageId);
    if (!message) throw notFound('Message');
    const seq = BigInt(message.seq);
    const markers = await this.receipts.list(user.tenant.id, room.id);
    return {
      messageId,
      deliveredTo: markers.filter((r) => BigInt(r.deliveredSeq) >= seq && r.userId !== message.senderId).map((r) => r.userId),
      readBy: markers.filter((r) => BigInt(r.readSeq) >= seq && r.userId !== message.senderId).map((r) => r.userId),
    };
  }
}
