import type { FeedDocumentDto, FeedSubscriptionDto } from './dto/feed.dto';
import type { FeedSubscription } from './entities/feed-subscription.entity';
import type { Feed } from './entities/feed.entity';

/** A feed as seed 003 shows it (`_id`, `userId`, `ownerName`, ...). */
export function feedDocument(f: Feed): FeedDocumentDto {
  return {
    _id: f.id,
    name: f.name,
    description: f.description,
    url: f.url,
    category: f.category,
    isActive: f.isActive,
    isVerified: f.isVerified,
    isPublic: f.isPublic,
    feedType: f.feedType,
    userId: f.ownerId,
    ownerName: f.owner?.name ?? '',
    connectionType: f.connectionType,
    connectionMessages: f.connectionMessages,
    reconnectionEnabled: f.reconnectionEnabled,
    subscriberCount: f.subscriberCount,
    tags: f.tags,
    enableTopicRouting: f.enableTopicRouting,
    topicField: f.topicField,
    topicPrompts: f.topicPrompts,
    defaultAIPrompt: f.defaultAIPrompt,
    queryInterval: f.queryInterval,
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
  };
}

export function subscriptionDocument(s: FeedSubscription, feed?: Feed): FeedSubscriptionDto {
  const doc: FeedSubscriptionDto = { _id: s.id, userId: s.accountId, feedId: s.feedId, subscribedAt: s.createdAt, isActive: s.isActive };
  if (feed) doc.feed = feedDocument(feed);
  return doc;
}
