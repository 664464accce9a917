import type { Principal } from '../../modules/auth/principal';

/** Who holds a connection (or makes a REST call), in the terms channel rules need. */
export interface RealtimeIdentity {
  kind: Principal['kind'];
  /** The end user's id (`sub` of the tenant JWT); null for accounts and API keys. */
  userId: string | null;
  accountId: string | null;
  /** The API key's scopes; null for account JWTs and end users (scopes do not apply). */
  scopes: readonly string[] | null;
  /** Glob patterns from the end-user JWT's `channels` claim. */
  channelGlobs: readonly string[];
  /** Presence user info from the end-user JWT's `user_info` claim, if any. */
  userInfo: unknown;
}

export function identityOf(p: Principal): RealtimeIdentity {
  switch (p.kind) {
    case 'endUser':
      return { kind: p.kind, userId: p.userId, accountId: null, scopes: null, channelGlobs: p.channels, userInfo: p.claims.user_info ?? null };
    case 'apiKey':
      return { kind: p.kind, userId: null, accountId: p.accountId, scopes: p.scopes, channelGlobs: [], userInfo: null };
    case 'account':
      return { kind: p.kind, userId: null, accountId: p.accountId, scopes: null, channelGlobs: [], userInfo: null };
  }
}
