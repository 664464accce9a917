import type { AppConfig } from '../../config/app-config';
import type { RateLimitRule } from '../../infra/rate-limit/rate-limiter';

/** Pusher REST limits (the protocol reference's table); the event-data size can be raised per tenant. */
export const PUSHER_LIMITS = {
  maxEventDataBytes: 10_240,
  maxChannelsPerTrigger: 100,
  maxBatchEvents: 10,
  maxEventNameLength: 200,
  maxChannelNameLength: 200,
  clientEventsPerSecond: 10,
  maxPresenceMembers: 100,
} as const;

export type PusherRateCategory = 'trigger' | 'channelInfo' | 'channelAuth';

/** Seed 000's per-tenant rate limits (1,000/min with 100/s bursts, 500/min with 50/s, 2,000/min with 200/s), from the configuration. */
export function pusherRateRule(config: AppConfig, category: PusherRateCategory): RateLimitRule {
  return { name: `pusher-${category}`, ...config.rateLimits[category] };
}

/** Pusher's channel-name characters, with `#` allowed only as the start of `#server-to-user-<id>`. */
const CHANNEL_PATTERN = /^#?[A-Za-z0-9_\-=@,.;]+$/;

export function pusherChannelNameError(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'Channel name required';
  if (name.length > PUSHER_LIMITS.maxChannelNameLength) return `Channel name too long (max ${PUSHER_LIMITS.maxChannelNameLength} characters): ${name.slice(0, 32)}...`;
  if (!CHANNEL_PATTERN.test(name) || (name.startsWith('#') && !name.startsWith(SERVER_TO_USER_PREFIX))) {
    return `Invalid channel name: ${name}`;
  }
  return null;
}

export const SERVER_TO_USER_PREFIX = '#server-to-user-';
