import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { authorizationError, validationError } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import type { HubConnection } from '../../realtime/hub/hub-connection';
import { NativeMessageContext, NativeMessageRegistry } from '../../realtime/ws/native/native-message.registry';
import type { ChatUser } from './chat-actor';
import { ChatDelivery } from './chat-delivery';
import { roomNameError } from './chat-names';
import { ChatPresence } from './chat-presence';
import { MessagesService } from './messages.service';
import { ReceiptsService } from './receipts.service';
import { NOT_JOINED, RoomsService } from './rooms.service';
import { TypingThrottle } from './typing-throttle';

type Message = Record<string, unknown>;

/**
 * Seed 001's room messages on the native protocol, plus seed 002's receipts, typing and presence:
 *   join     {room}                          -> {"type":"joined","room"}
 *   leave    {room}                          -> {"type":"left","room"}
 *   message  {room, payload, clientMessageId?} -> {"type":"sent","room","id","clientMessageId","timestamp","duplicate"}
 *   ack      {room, messageId, status}       -> (nothing; the sender gets a `receipt` event)
 *   typing   {room, isTyping}                -> (relayed to the room as `typing`)
 *   presence {room}                          -> {"type":"presence","room","members":[{userId,userInfo}]}
 * Thin: each maps the frame to one service call. Errors are DomainErrors, answered as error frames.
 */
@Injectable()
export class ChatWs implements OnModuleInit {
  private readonly typingThrottle: TypingThrottle;

  constructor(
    private readonly registry: NativeMessageRegistry,
    private readonly rooms: RoomsService,
    private readonly messages: MessagesService,
    private readonly receipts: ReceiptsService,
    private readonly presence: ChatPresence,
    private readonly delivery: ChatDelivery,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.typingThrottle = new TypingThrottle(config.chat.typingThrottleMs);
  }

  onModuleInit(): void {
    this.registry.register('join', (ctx) => this.join(ctx));
    this.registry.register('leave', (ctx) => this.leave(ctx));
    this.registry.register('message', (ctx) => this.message(ctx));
    this.registry.register('ack', (ctx) => this.ack(ctx));
    this.registry.register('typing', (ctx) => this.typing(ctx));
    this.registry.register('presence', (ctx) => this.presenceOf(ctx));
  }

  private async join({ conn, message, reply }: NativeMessageContext): Promise<void> {
    const user = chatUser(conn);
    const room = roomOf(message);
    const joined = await this.rooms.joinByName(user, room);
    this.messages.rememberRoom(user.tenant.id, room, joined);
    await this.presence.enter(conn, room);
    reply(JSON.stringify({ type: 'joined', room }));
  }

  private async leave({ conn, message, reply }: NativeMessageContext): Promise<void> {
    const user = chatUser(conn);
    const room = roomOf(message);
    this.presence.exit(conn, room);
    await this.rooms.leaveByName(user, room);
    reply(JSON.stringify({ type: 'left', room }));
  }

  private async message({ conn, message, reply }: NativeMessageContext): Promise<void> {
    const user = chatUser(conn);
    const room = roomOf(message);
    const clientMessageId = optionalString(message.clientMessageId, 'clientMessageId', 128);
    const sent = await this.messages.send(user, room, message.payload, clientMessageId, { joinPublic: false, excludeSocketId: conn.id });
    reply(JSON.stringify({ type: 'sent', room, id: sent.id, clientMessageId: sent.clientMessageId, timestamp: sent.timestamp, duplicate: !sent.created }));
  }

  private async ack({ conn, message }: NativeMessageContext): Promise<void> {
    const user = chatUser(conn);
    const room = roomOf(message);
    const messageId = message.messageId;
    if (typeof messageId !== 'string' || !/^[0-9a-f-]{36}$/i.test(messageId)) throw validationError('messageId required');
    if (message.status !== 'delivered' && message.status !== 'read') throw validationError('status must be "delivered" or "read"');
    await this.receipts.acknowledge(user, room, messageId, message.status);
  }

  private typing({ conn, message }: NativeMessageContext): void {
    const user = chatUser(conn);
    const room = roomOf(message);
    const isTyping = message.isTyping ?? true;
    if (typeof isTyping !== 'boolean') throw validationError('isTyping must be true or false');
    if (!this.presence.inRoom(conn, room)) throw authorizationError(NOT_JOINED);
    if (!this.typingThrottle.shouldRelay(`${user.tenant.id}\n${room}\n${user.userId}`, isTyping, Date.now())) return;
    this.delivery.typing(user.tenant.id, room, user.userId, isTyping, conn.id);
  }

  private async presenceOf({ conn, message, reply }: NativeMessageContext): Promise<void> {
    const user = chatUser(conn);
    const room = roomOf(message);
    const view = await this.rooms.presenceOf(user, room);
    const members = view.members.filter((m) => m.status === 'online').map((m) => ({ userId: m.userId, userInfo: m.userInfo }));
    reply(JSON.stringify({ type: 'presence', room, members }));
  }
}

/** Chat needs an end user: a connection on /ws/<tenantKey>?jwt=. */
function chatUser(conn: HubConnection): ChatUser {
  const userId = conn.identity?.userId;
  if (!conn.tenant || !conn.identity || !userId) throw authorizationError('Chat needs an end-user connection: /ws/<tenantKey>?jwt=<token>');
  return { tenant: conn.tenant, userId, identity: conn.identity };
}

function roomOf(message: Message): string {
  const error = roomNameError(message.room);
  if (error) throw validationError(error);
  return message.room as string;
}

function optionalString(value: unknown, name: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw validationError(`${name} must be a string of 1-${max} characters`);
  return value;
}
