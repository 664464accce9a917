import { Inject, Injectable } from '@nestjs/common';
import { authorizationError, DomainError, notFound } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { RealtimeHub } from '../../realtime/hub/realtime-hub.service';
import type { ChatActor, ChatUser } from '../chat/chat-actor';
import type { NotificationPageResponseDto, NotificationResponseDto, NotificationSendResponseDto } from './dto/notification.dto';
import { NotificationRepository, NotificationRow } from './notification.repository';
import { WebhookDispatcher } from '../webhooks/webhook.dispatcher';

/** Notifications: stored per user, then pushed to the users' connections as seed 004 `notification` events. */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly hub: RealtimeHub,
    private readonly webhooks: WebhookDispatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Tenant servers only (an API key): end users do not notify each other. */
  async send(actor: ChatActor, userIds: string[], type: string, data: unknown): Promise<NotificationSendResponseDto> {
    if (actor.identity.kind !== 'apiKey') throw authorizationError('Only a tenant API key may send notifications');
    const limit = this.config.chat.maxPayloadBytes;
    if (Buffer.byteLength(JSON.stringify(data)) > limit) throw new DomainError('PAYLOAD_TOO_LARGE', `Notification data exceeds ${limit} bytes`);
    const rows = await this.notifications.insertMany(actor.tenant.id, [...new Set(userIds)], type, data);
    // Committed: now push, and tell the tenant's webhooks.
    for (const row of rows) {
      this.hub.publishToUser(actor.tenant.id, row.userId, { name: 'notification', dataJson: JSON.stringify(view(row)) });
      void this.webhooks.emit(actor.tenant.id, { name: 'notification_created', userId: row.userId, data: view(row) });
    }
    return { count: rows.length, notifications: rows.map(view) };
  }

  async list(user: ChatUser, options: { unreadOnly: boolean; before?: string; limit?: number }): Promise<NotificationPageResponseDto> {
    let beforeSeq: string | null = null;
    if (options.before) {
      const cursor = await this.notifications.get(user.tenant.id, user.userId, options.before);
      if (!cursor) throw notFound('Notification (before)');
      beforeSeq = cursor.seq;
    }
    const limit = options.limit ?? 50;
    const [rows, unreadCount] = await Promise.all([
      this.notifications.page(user.tenant.id, user.userId, { unreadOnly: options.unreadOnly, beforeSeq, limit: limit + 1 }),
      this.notifications.countUnread(user.tenant.id, user.userId),
    ]);
    return { notifications: rows.slice(0, limit).map(view), unreadCount, hasMore: rows.length > limit };
  }

  async markRead(user: ChatUser, id: string): Promise<NotificationResponseDto> {
    const row = await this.notifications.markRead(user.tenant.id, user.userId, id);
    if (!row) throw notFound('Notification');
    return view(row);
  }

  async markAllRead(user: ChatUser): Promise<{ updated: number }> {
    return { updated: await this.notifications.markAllRead(user.tenant.id, user.userId) };
  }
}

function view(n: NotificationRow): NotificationResponseDto {
  return {
    id: n.id,
    userId: n.userId,
    type: n.type,
    data: n.data,
    read: n.readAt !== null,
    readAt: n.readAt === null ? null : new Date(n.readAt).toISOString(),
    createdAt: new Date(n.createdAt).toISOString(),
  };
}
