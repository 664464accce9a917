import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiSecurity } from '@nestjs/swagger';
import { authenticationError, validationError } from '../../common/domain-error';
import { AUTH_KEY, AuthRequirement } from '../auth/auth.decorators';
import type { Scope } from '../auth/scopes';
import type { ChatActor, ChatUser } from './chat-actor';
import { ChatApiInterceptor, ChatRequest } from './chat-api.interceptor';

/**
 * A chat route: a tenant API key holding the scopes (acting for the user in `X-User-Id`), or a
 * tenant end-user JWT (`Authorization: Bearer <jwt>` with `X-Tenant-Key` or `x-hash`). Account JWTs
 * are refused: accounts operate tenants, they do not chat. Rate-limited per tenant.
 */
export const ChatAuth = (...scopes: Scope[]) =>
  applyDecorators(
    SetMetadata(AUTH_KEY, { accept: ['apiKey', 'endUser'], scopes } satisfies AuthRequirement),
    UseInterceptors(ChatApiInterceptor),
    ApiSecurity('api-key'),
    ApiBearerAuth('account-jwt'),
    ApiHeader({ name: 'X-User-Id', required: false, description: 'With an API key: the end user the call acts for' }),
    ApiHeader({ name: 'X-Tenant-Key', required: false, description: 'With an end-user JWT as the Bearer token: the tenant key (or send x-hash)' }),
  );

const actorOf = (ctx: ExecutionContext): ChatActor => {
  const actor = ctx.switchToHttp().getRequest<ChatRequest>().chatActor;
  if (!actor) throw authenticationError();
  return actor;
};

/** The tenant and (maybe) user of a chat call. */
export const CurrentChatActor = createParamDecorator((_: unknown, ctx: ExecutionContext): ChatActor => actorOf(ctx));

/** The tenant and user of a chat call that acts as a user: an API key must name one in X-User-Id. */
export const CurrentChatUser = createParamDecorator((_: unknown, ctx: ExecutionContext): ChatUser => {
  const actor = actorOf(ctx);
  if (actor.userId === null) throw validationError('X-User-Id header required: the end user this call acts for');
  return actor as ChatUser;
});
