import type { PlanLimits } from '../../modules/tenants/plans';
import type { TenantSettings } from '../../modules/tenants/tenant-settings';

/** What the realtime layer needs to know about a tenant, with its secret for channel signatures. */
export interface TenantContext {
  id: string;
  appId: string;
  key: string;
  secret: string;
  enabled: boolean;
  settings: TenantSettings;
  limits: PlanLimits;
}
