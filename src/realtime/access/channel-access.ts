import { authorizationError, DomainError, validationError } from '../../common/domain-error';
import { hasScope } from '../../modules/auth/scopes';
import { channelKind, isValidUserId, userChannelOwner } from './channel-name';
import { verifyChannelSignature } from './channel-signature';
import { matchesAnyGlob } from './glob';
import type { RealtimeIdentity } from './realtime-identity';

/** Presence user info is kept in memory and Redis for every member: bounded. */
export const MAX_USER_INFO_BYTES = 1_024;

export interface PresenceMember {
  userId: string;
  userInfo: unknown;
}

export interface SubscriptionProof {
  /** `<hex>` or `<tenant key>:<hex>`: HMAC-SHA256 of `socketId:channel[:channelData]` with the tenant secret. */
  auth?: unknown;
  /** Presence only: JSON `{"user_id": "...", "user_info": {...}}`, covered by the signature. */
  channelData?: unknown;
}

export interface SubscriptionRequest {
  identity: RealtimeIdentity;
  tenant: { key: string; secret: string };
  socketId: string;
  channel: string;
  proof: SubscriptionProof;
}

/**
 * THE rule for who may subscribe to what (every dialect calls it; the name was validated before):
 * - every channel belongs to the connection's tenant; API keys need `websocket:subscribe`;
 * - `user:<id>`: only the end user whose JWT `sub` is `<id>`;
 * - `private-*` and `presence-*`: a valid signature (`auth`) over socket id and channel name with the
 *   tenant secret, or a glob in the end-user JWT's `channels` claim that matches the name;
 * - `presence-*` also needs a user: the end user's `sub`, or `user_id` in signed `channelData`;
 * - anything else is public to the tenant's connections.
 * Returns the presence member to register, or null for non-presence channels; throws otherwise.
 */
export function authorizeSubscription(r: SubscriptionRequest): PresenceMember | null {
  const { identity, channel } = r;
  if (identity.scopes && !hasScope(identity.scopes, 'websocket:subscribe')) {
    throw authorizationError('Insufficient permissions: requires scope websocket:subscribe');
  }
  const kind = channelKind(channel);
  if (kind === 'public') return null;
  if (kind === 'user') {
    if (identity.userId !== null && identity.userId === userChannelOwner(channel)) return null;
    throw authorizationError(`Channel ${channel} is only for user ${userChannelOwner(channel)}`);
  }
  const channelData = r.proof.channelData;
  if (channelData !== undefined && typeof channelData !== 'string') throw validationError('channelData must be a JSON string');
  const byClaim = matchesAnyGlob(identity.channelGlobs, channel);
  const bySignature =
    typeof r.proof.auth === 'string' &&
    verifyChannelSignature(r.tenant.secret, r.tenant.key, r.socketId, channel, r.proof.auth, kind === 'presence' ? channelData : undefined);
  if (!byClaim && !bySignature) {
    throw authorizationError(`Channel ${channel} needs authorization: a signature of socketId:channel with the tenant secret, or a matching channels claim`);
  }
  return kind === 'presence' ? presenceMember(identity, bySignature ? channelData : undefined) : null;
}

function presenceMember(identity: RealtimeIdentity, signedData: string | undefined): PresenceMember {
  let fromData: { user_id?: unknown; user_info?: unknown } | undefined;
  if (signedData !== undefined) {
    try {
      fromData = JSON.parse(signedData) as typeof fromData;
    } catch {
      throw validationError('channelData is not valid JSON');
    }
    if (typeof fromData !== 'object' || fromData === null) throw validationError('channelData must be a JSON object');
  }
  const dataUser = fromData?.user_id === undefined ? undefined : String(fromData.user_id);
  if (identity.userId !== null && dataUser !== undefined && dataUser !== identity.userId) {
    throw authorizationError('channelData user_id does not match the token subject');
  }
  const userId = identity.userId ?? dataUser;
  if (userId === undefined) {
    throw authorizationError('Presence channels need a user: connect as an end user or send signed channelData with user_id');
  }
  if (!isValidUserId(userId)) throw validationError('Presence user id must be 1-128 characters without control characters');
  const userInfo = fromData?.user_info ?? identity.userInfo ?? null;
  if (Buffer.byteLength(JSON.stringify(userInfo)) > MAX_USER_INFO_BYTES) {
    throw new DomainError('PAYLOAD_TOO_LARGE', `Presence user info exceeds ${MAX_USER_INFO_BYTES} bytes`);
  }
  return { userId, userInfo };
}

/**
 * Who may publish to a channel over REST (or broadcast over WS): API keys with `events:trigger` and
 * owner accounts anywhere in their tenant (checked before this); end users only when the tenant
 * allows it, and then only where they could subscribe without a signature (public channels, their own
 * `user:` channel, private/presence channels their `channels` claim matches).
 */
export function authorizePublish(identity: RealtimeIdentity, endUserPublishEnabled: boolean, channel: string | null): void {
  if (identity.kind !== 'endUser') return;
  if (!endUserPublishEnabled) throw authorizationError('This tenant does not let end users publish');
  if (channel === null) return;
  const kind = channelKind(channel);
  if (kind === 'user' && userChannelOwner(channel) !== identity.userId) {
    throw authorizationError(`Channel ${channel} is only for user ${userChannelOwner(channel)}`);
  }
  if ((kind === 'private' || kind === 'presence') && !matchesAnyGlob(identity.channelGlobs, channel)) {
    throw authorizationError(`Publishing to ${channel} needs a matching channels claim in the token`);
  }
}
