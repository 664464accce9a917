import { Account } from '../../modules/auth/entities/account.entity';
import { ApiKey } from '../../modules/auth/entities/api-key.entity';
import { LoginThrottle } from '../../modules/auth/entities/login-throttle.entity';
import { ChatMessage } from '../../modules/chat/entities/chat-message.entity';
import { ChatReceipt } from '../../modules/chat/entities/chat-receipt.entity';
import { ChatRoomMember } from '../../modules/chat/entities/chat-room-member.entity';
import { ChatRoom } from '../../modules/chat/entities/chat-room.entity';
import { FeedSubscription } from '../../modules/feeds/entities/feed-subscription.entity';
import { Feed } from '../../modules/feeds/entities/feed.entity';
import { LlmAnalysis } from '../../modules/llm/entities/llm-analysis.entity';
import { Notification } from '../../modules/notifications/entities/notification.entity';
import { Tenant } from '../../modules/tenants/entities/tenant.entity';
import { WebhookDelivery } from '../../modules/webhooks/entities/webhook-delivery.entity';
import { WebhookEndpoint } from '../../modules/webhooks/entities/webhook-endpoint.entity';

/** Every TypeORM entity, listed so the app, the migration CLI and the tests load the same set. */
export const ENTITIES = [Account, ApiKey, LoginThrottle, Tenant, WebhookEndpoint, WebhookDelivery, ChatRoom, ChatRoomMember, ChatMessage, ChatReceipt, Notification, Feed, FeedSubscription, LlmAnalysis];
