import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { authorizationError } from '../../common/domain-error';
import { AUTH_KEY, AuthRequirement, PUBLIC_KEY } from './auth.decorators';
import { CredentialService } from './credential.service';
import { Principal } from './principal';
import { hasScope } from './scopes';

const DEFAULT_REQUIREMENT: AuthRequirement = { accept: ['account'] };

/**
 * Global and deny-by-default: a route without @Public() needs a credential, an account JWT unless
 * the route says which others it accepts and which scopes they must hold.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly credentials: CredentialService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return false;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const requirement = this.reflector.getAllAndOverride<AuthRequirement>(AUTH_KEY, targets) ?? DEFAULT_REQUIREMENT;
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; principal?: Principal }>();
    const principal = await this.credentials.fromHeaders(request.headers);
    if (!requirement.accept.includes(principal.kind)) {
      throw authorizationError(`This endpoint does not accept ${describe(principal)} credentials`);
    }
    if (principal.kind === 'apiKey') {
      const missing = (requirement.scopes ?? []).filter((s) => !hasScope(principal.scopes, s));
      if (missing.length > 0) throw authorizationError(`Insufficient permissions: requires scope ${missing.join(', ')}`);
    }
    request.principal = principal;
    return true;
  }
}

const describe = (p: Principal) => ({ account: 'account JWT', apiKey: 'API key', endUser: 'end-user JWT' })[p.kind];
