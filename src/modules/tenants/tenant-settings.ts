import { PLAN_LIMITS, PlanLimits, PlanName } from './plans';

/** Per-tenant switches that later features read. Absent means the default shown. */
export interface TenantSettings {
  /** Pusher client events (`client-*`) on private and presence channels. Default false. */
  clientEventsEnabled?: boolean;
  /** Pusher `pusher_internal:subscription_count` events. Default false. */
  subscriptionCountEnabled?: boolean;
  /** Let end users (tenant JWTs) publish with POST /api/channels/:channel/events. Default false. */
  endUserPublishEnabled?: boolean;
}

/** Per-tenant overrides of the plan's limits. */
export type TenantLimits = Partial<PlanLimits>;

export function effectiveLimits(plan: PlanName, overrides: TenantLimits): PlanLimits {
  return { ...PLAN_LIMITS[plan], ...overrides };
}
