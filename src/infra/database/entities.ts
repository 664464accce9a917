import { Account } from '../../modules/auth/entities/account.entity';
import { ApiKey } from '../../modules/auth/entities/api-key.entity';
import { LoginThrottle } from '../../modules/auth/entities/login-throttle.entity';
import { Tenant } from '../../modules/tenants/entities/tenant.entity';

/** Every TypeORM entity, listed so the app, the migration CLI and the tests load the same set. */
export const ENTITIES = [Account, ApiKey, LoginThrottle, Tenant];
