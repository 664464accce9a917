import type { AppConfig } from '../../config/app-config';
import type { RateLimitRule } from '../../infra/rate-limit/rate-limiter';

/**
 * Pusher protocol limits (the protocol reference's table). Event data size, channels per trigger and
 * batch size are tenant limits (plans.ts), overridable per tenant; these are the fixed ones.
 */
export const PUSHER_LIMITS = {
  /** Client events' data (the HTTP API's limit is the tenant's maxEventDataBytes). */
  maxEventDataBytes: 10_240,
  maxEventNameLength: 200,
  maxChannelNameLength: 200,
  clientEventsPerSecond: 10,
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

/**
 * Admission control of `POST /apps/:appId/events` and `/batch_events` (TriggerAdmission): while the
 * event loop is saturated (utilisation ≥ `saturatedUtilisation`, smoothed over about
 * `utilisationWindowMs`), once it has been busy (wall clock and CPU) for more than
 * `maxEventLoopLagMs` beyond the `timerPeriodMs` of the timer that measures it, with
 * `queuedPublishes` publishes already made in that stretch, further publishes are refused with 429
 * before any rate-limit point is spent. The timer runs every `timerPeriodMs` while publishes arrive,
 * and every `idleTimerPeriodMs` once none has come for `idleAfterMs` (an idle server wakes rarely).
 */
export const TRIGGER_ADMISSION = {
  timerPeriodMs: 10,
  idleTimerPeriodMs: 250,
  idleAfterMs: 1000,
  maxEventLoopLagMs: 50,
  queuedPublishes: 4,
  saturatedUtilisation: 0.9,
  utilisationWindowMs: 250,
  retryAfterSeconds: 1,
  message: 'Server overloaded: publish refused, retry later',
} as const;
