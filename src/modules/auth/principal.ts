/** Who is calling, as resolved by CredentialService from a JWT or an API key. */
export type Principal = AccountPrincipal | ApiKeyPrincipal | EndUserPrincipal;

/** An operator logged in with an account JWT: acts on everything the account owns. */
export interface AccountPrincipal {
  kind: 'account';
  accountId: string;
}

/** An API key: acts for its account, limited by its scopes and, when bound, to one tenant. */
export interface ApiKeyPrincipal {
  kind: 'apiKey';
  accountId: string;
  apiKeyId: string;
  scopes: string[];
  tenantId: string | null;
}

/** An end user of a tenant's application, from a JWT signed with the tenant's jwtSecret. */
export interface EndUserPrincipal {
  kind: 'endUser';
  tenantId: string;
  userId: string;
  /** Glob patterns of channels the token allows (the `channels` claim), if any. */
  channels: string[];
  claims: Record<string, unknown>;
}

export type PrincipalKind = Principal['kind'];
