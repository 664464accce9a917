import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { authorizationError, conflict, DomainError, notFound, validationError } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import type { ChatUser } from './chat-actor';
import { ChatDelivery, MessageEventName } from './chat-delivery';
import { messageView } from './chat-views';
import type { MessagePageResponseDto, MessagePostResponseDto, MessageResponseDto } from './dto/message.dto';
import { WebhookDispatcher } from '../webhooks/webhook.dispatcher';
import { BatchOutcome, MessageBatcher } from './message-batcher';
import { MessageRepository, MessageRow } from './message.repository';
import type { RoomRow } from './room.repository';
import { NOT_JOINED, RoomsService } from './rooms.service';

export interface SendOptions {
  /** REST: posting to a public room joins it (seed 001's HTTP-to-WebSocket flow); WebSocket: membership first. */
  joinPublic: boolean;
  /** The sending connection, which gets the `sent` ack instead of the message event. */
  excludeSocketId?: string;
}

/** Rooms remembered by reference for WebSocket sends; cleared when full. */
const MAX_KNOWN_ROOMS = 10_000;

/** Posting, reading, editing and deleting messages. */
@Injectable()
export class MessagesService {
  /** `tenantId \n ref` → the room a WebSocket send resolved it to last (checked again by every insert). */
  private readonly knownRooms = new Map<string, Pick<RoomRow, 'id' | 'name'>>();

  constructor(
    private readonly rooms: RoomsService,
    private readonly messages: MessageRepository,
    private readonly batcher: MessageBatcher,
    private readonly delivery: ChatDelivery,
    private readonly webhooks: WebhookDispatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Stores a message, then — once committed — delivers it to every member's connections and to the
   * room's conversation channel, and answers. A retry with the same clientMessageId returns the first
   * message (`created: false`) and delivers nothing again. Messages of every sender are stored in
   * batches (group commit, see MessageBatcher); the membership check is part of the batch insert.
   */
  async send(user: ChatUser, ref: string, payload: unknown, clientMessageId: string | undefined, options: SendOptions): Promise<MessagePostResponseDto> {
    const payloadJson = this.checkPayload(payload);
    const cmid = clientMessageId ?? null;
    if (options.joinPublic) {
      const room = await this.roomForPost(user, ref);
      return this.result(room, await this.store(user, room.id, payload, payloadJson, cmid, options.excludeSocketId));
    }
    // WebSocket: a room the connection already sent to skips the lookups; the insert itself checks
    // that the sender is (still) a member, and a refusal takes the full path below.
    const key = user.tenant.id + '\n' + ref;
    const known = this.knownRooms.get(key);
    if (known) {
      const outcome = await this.store(user, known.id, payload, payloadJson, cmid, options.excludeSocketId);
      if (outcome.kind !== 'not-member') return this.result(known, outcome);
    }
    const room = await this.roomOfMember(user, ref);
    this.rememberRoom(user.tenant.id, ref, room);
    return this.result(room, await this.store(user, room.id, payload, payloadJson, cmid, options.excludeSocketId));
  }

  /** What `ref` names in the tenant, for the next WebSocket sends to it (a join has just resolved it). */
  rememberRoom(tenantId: string, ref: string, room: Pick<RoomRow, 'id' | 'name'>): void {
    if (this.knownRooms.size >= MAX_KNOWN_ROOMS) this.knownRooms.clear();
    this.knownRooms.set(tenantId + '\n' + ref, { id: room.id, name: room.name });
  }

  private store(
    user: ChatUser,
    roomId: string,
    payload: unknown,
    payloadJson: string,
    clientMessageId: string | null,
    excludeSocketId: string | undefined,
  ): Promise<BatchOutcome> {
    const tenantId = user.tenant.id;
    const { webhooks, delivery } = this;
    return this.batcher.submit({
      message: { id: randomUUID(), tenantId, roomId, senderId: user.userId, payload, payloadJson, clientMessageId },
      // A method rather than an arrow property: the bundle (keepNames) would redefine an arrow's
      // `name` with Object.defineProperty for every message.
      onStored(m, room) {
        const view = messageView(room, m);
        // Committed: tell the tenant's webhooks (queued, never blocking the send).
        void webhooks.emit(tenantId, { name: 'message_created', channel: room.name, userId: m.senderId, data: view });
        delivery.message(tenantId, room, m, room.memberIds, 'message', excludeSocketId, view);
        return view;
      },
    });
  }

  private result(room: Pick<RoomRow, 'id' | 'name'>, outcome: BatchOutcome): MessagePostResponseDto {
    if (outcome.kind === 'not-member') throw authorizationError(NOT_JOINED);
    // A new message: the view its members were sent; a retried one: its first message.
    if (outcome.kind === 'created' && outcome.view) return { ...outcome.view, created: true };
    return { ...messageView(room, outcome.message), created: outcome.kind === 'created' };
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

  /** The payload as JSON, once checked. */
  private checkPayload(payload: unknown): string {
    if (payload === undefined || payload === null || payload === '') throw validationError('Payload required');
    const limit = this.config.chat.maxPayloadBytes;
    const json = JSON.stringify(payload);
    // Bytes are at most 3 per UTF-16 unit: only long payloads need counting.
    if (json.length * 3 > limit && Buffer.byteLength(json) > limit) throw new DomainError('PAYLOAD_TOO_LARGE', `Payload exceeds ${limit} bytes`);
    return json;
  }
}
