import { Inject, Injectable } from '@nestjs/common';
import { authorizationError, conflict, DomainError, notFound, validationError } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import type { ChatUser } from './chat-actor';
import { ChatDelivery, MessageEventName } from './chat-delivery';
import { messageView } from './chat-views';
import type { MessagePageResponseDto, MessagePostResponseDto, MessageResponseDto } from './dto/message.dto';
import { WebhookDispatcher } from '../webhooks/webhook.dispatcher';
import { MessageRepository, MessageRow } from './message.repository';
import type { RoomRow } from './room.repository';
import { NOT_JOINED, RoomsService } from './rooms.service';

export interface SendOptions {
  /** REST: posting to a public room joins it (seed 001's HTTP-to-WebSocket flow); WebSocket: membership first. */
  joinPublic: boolean;
  /** The sending connection, which gets the `sent` ack instead of the message event. */
  excludeSocketId?: string;
}

/** Posting, reading, editing and deleting messages. */
@Injectable()
export class MessagesService {
  constructor(
    private readonly rooms: RoomsService,
    private readonly messages: MessageRepository,
    private readonly delivery: ChatDelivery,
    private readonly webhooks: WebhookDispatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Stores a message, then — once committed — delivers it to every member's connections and to the
   * room's conversation channel. A retry with the same clientMessageId returns the first message
   * (`created: false`) and delivers nothing again.
   */
  async send(user: ChatUser, ref: string, payload: unknown, clientMessageId: string | undefined, options: SendOptions): Promise<MessagePostResponseDto> {
    this.checkPayload(payload);
    const room = options.joinPublic ? await this.roomForPost(user, ref) : await this.roomOfMember(user, ref);
    const { message, created } = await this.messages.insert(user.tenant.id, room.id, user.userId, payload, clientMessageId ?? null);
    if (created) {
      // Committed: tell the tenant's webhooks (queued, never blocking the send).
      void this.webhooks.emit(user.tenant.id, { name: 'message_created', channel: room.name, userId: user.userId, data: messageView(room, message) });
      const memberIds = await this.rooms.memberIds(user.tenant.id, room.id);
      this.delivery.message(user.tenant.id, room, message, memberIds, 'message', options.excludeSocketId);
    }
    return { ...messageView(room, message), created };
  }

  async list(user: ChatUser, ref: string, query: { before?: string; after?: string; limit?: number }): Promise<MessagePageResponseDto> {
    if (query.before && query.after) throw validationError('Use before or after, not both');
    const { room } = await this.rooms.access(user, ref);
    const cursor: { before?: MessageRow; after?: MessageRow } = {};
    for (const key of ['before', 'after'] as const) {
      const id = query[key];
      if (!id) continue;
      const message = await this.messages.get(user.tenant.id, room.id, id);
      if (!message) throw notFound(`Message ${id} (${key})`);
      cursor[key] = message;
    }
    const page = await this.messages.page(user.tenant.id, room.id, cursor, query.limit ?? 50);
    return { messages: page.messages.map((m) => messageView(room, m)), hasMore: page.hasMore };
  }

  /** Edits one's own message; members see `message_updated`. */
  async edit(user: ChatUser, ref: string, id: string, payload: unknown): Promise<MessageResponseDto> {
    this.checkPayload(payload);
    const { room } = await this.rooms.requireMember(user, ref);
    const message = await this.ownMessage(user, room, id, 'edit');
    if (message.deletedAt) throw conflict('This message was deleted');
    const edited = await this.messages.edit(user.tenant.id, room.id, id, payload);
    if (!edited) throw conflict('This message was deleted');
    await this.publish(user, room, edited, 'message_updated');
    return messageView(room, edited);
  }

  /** Deletes a message, leaving a tombstone: its own sender, or the room's owners and admins (moderation). */
  async remove(user: ChatUser, ref: string, id: string): Promise<MessageResponseDto> {
    const { room, member } = await this.rooms.requireMember(user, ref);
    const message = await this.messages.get(user.tenant.id, room.id, id);
    if (!message) throw notFound('Message');
    if (message.senderId !== user.userId && member.role === 'member') throw authorizationError('You can only delete your own messages');
    if (message.deletedAt) return messageView(room, message);
    const tombstone = await this.messages.tombstone(user.tenant.id, room.id, id);
    if (!tombstone) return messageView(room, (await this.messages.get(user.tenant.id, room.id, id))!);
    await this.publish(user, room, tombstone, 'message_deleted');
    return messageView(room, tombstone);
  }

  private async publish(user: ChatUser, room: RoomRow, message: MessageRow, name: MessageEventName): Promise<void> {
    const memberIds = await this.rooms.memberIds(user.tenant.id, room.id);
    this.delivery.message(user.tenant.id, room, message, memberIds, name);
  }

  private async ownMessage(user: ChatUser, room: RoomRow, id: string, action: string): Promise<MessageRow> {
    const message = await this.messages.get(user.tenant.id, room.id, id);
    if (!message) throw notFound('Message');
    if (message.senderId !== user.userId) throw authorizationError(`You can only ${action} your own messages`);
    return message;
  }

  /** WebSocket send: the user must be a member; a room that does not exist is one they have not joined. */
  private async roomOfMember(user: ChatUser, name: string): Promise<RoomRow> {
    try {
      return (await this.rooms.requireMember(user, name)).room;
    } catch (e) {
      if (e instanceof DomainError && e.code === 'NOT_FOUND') throw authorizationError(NOT_JOINED);
      throw e;
    }
  }

  /** REST send: members post; a public room (created when addressed by a new name) is joined on the way. */
  private async roomForPost(user: ChatUser, ref: string): Promise<RoomRow> {
    const { room, member } = await this.rooms.access(user, ref);
    if (!member) await this.rooms.join(user, room.id);
    return room;
  }

  private checkPayload(payload: unknown): void {
    if (payload === undefined || payload === null || payload === '') throw validationError('Payload required');
    const limit = this.config.chat.maxPayloadBytes;
    if (Buffer.byteLength(JSON.stringify(payload)) > limit) throw new DomainError('PAYLOAD_TOO_LARGE', `Payload exceeds ${limit} bytes`);
  }
}
