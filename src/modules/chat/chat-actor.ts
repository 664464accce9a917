import type { RealtimeIdentity } from '../../realtime/access/realtime-identity';
import type { TenantContext } from '../../realtime/tenants/tenant-context';

/**
 * Who acts in a chat call: the tenant, and the end user — the `sub` of a tenant JWT, or the
 * `X-User-Id` a tenant API key vouches for (null when a key calls without one).
 */
export interface ChatActor {
  tenant: TenantContext;
  userId: string | null;
  identity: RealtimeIdentity;
}

/** A ChatActor known to act as a user. */
export interface ChatUser extends ChatActor {
  userId: string;
}
