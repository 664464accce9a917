import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { Principal, PrincipalKind } from './principal';
import type { Scope } from './scopes';

export const PUBLIC_KEY = 'relaybase:public';
export const AUTH_KEY = 'relaybase:auth';

export interface AuthRequirement {
  /** Which kinds of credential the route accepts. */
  accept: PrincipalKind[];
  /** Scopes an API key must hold (account JWTs hold every scope). */
  scopes?: Scope[];
}

/** An open route: no credential needed. Everything else is denied without one. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Account JWT only: managing the account, its keys and tenants. This is also the default. */
export const AccountOnly = () =>
  applyDecorators(SetMetadata(AUTH_KEY, { accept: ['account'] } satisfies AuthRequirement), ApiBearerAuth('account-jwt'));

/** Account JWT, or an API key holding every scope listed. */
export const AccountOrApiKey = (...scopes: Scope[]) =>
  applyDecorators(
    SetMetadata(AUTH_KEY, { accept: ['account', 'apiKey'], scopes } satisfies AuthRequirement),
    ApiBearerAuth('account-jwt'),
    ApiSecurity('api-key'),
  );

/**
 * Account JWT, an API key holding every scope listed, or a tenant end-user JWT (Bearer token with the
 * tenant's public key in `X-Tenant-Key`); the route decides what an end user may do.
 */
export const AccountApiKeyOrEndUser = (...scopes: Scope[]) =>
  applyDecorators(
    SetMetadata(AUTH_KEY, { accept: ['account', 'apiKey', 'endUser'], scopes } satisfies AuthRequirement),
    ApiBearerAuth('account-jwt'),
    ApiSecurity('api-key'),
  );

/** The caller resolved by the guard. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest<{ principal: Principal }>().principal,
);
