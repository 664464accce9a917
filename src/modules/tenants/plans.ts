/** Plan names and their limits (seed 000's plan table). Enterprise limits are "custom": set per tenant. */
export const PLAN_NAMES = ['free', 'pro', 'business', 'enterprise'] as const;
export type PlanName = (typeof PLAN_NAMES)[number];

export interface PlanLimits {
  /** Concurrent connections per tenant, across the cluster. */
  maxConnections: number;
  /** Channels one connection may be subscribed to at once. */
  maxChannelsPerConnection: number;
  /** Chat REST requests per second for the tenant, counted across instances (seed 002: 100). */
  apiRequestsPerSecond: number;
  /** Pusher HTTP API: largest event `data`, in bytes (10 KB). */
  maxEventDataBytes: number;
  /** Pusher HTTP API: channels one trigger may name (100). */
  maxChannelsPerTrigger: number;
  /** Pusher HTTP API: events in one batch (10). */
  maxBatchEvents: number;
  /** Distinct users a presence channel holds (100). */
  maxPresenceMembers: number;
}

/** Event and presence limits of the Pusher protocol (the protocol reference's table), the same on every plan. */
const EVENT_LIMITS = { maxEventDataBytes: 10_240, maxChannelsPerTrigger: 100, maxBatchEvents: 10, maxPresenceMembers: 100 };

export const PLAN_LIMITS: Readonly<Record<PlanName, Readonly<PlanLimits>>> = Object.freeze({
  free: { maxConnections: 100, maxChannelsPerConnection: 10, apiRequestsPerSecond: 100, ...EVENT_LIMITS },
  pro: { maxConnections: 1_000, maxChannelsPerConnection: 50, apiRequestsPerSecond: 100, ...EVENT_LIMITS },
  business: { maxConnections: 10_000, maxChannelsPerConnection: 100, apiRequestsPerSecond: 100, ...EVENT_LIMITS },
  // Custom: these defaults apply until the operator sets overrides on the tenant.
  enterprise: { maxConnections: 100_000, maxChannelsPerConnection: 500, apiRequestsPerSecond: 100, ...EVENT_LIMITS },
});
