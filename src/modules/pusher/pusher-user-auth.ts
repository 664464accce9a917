import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../../common/constant-time';

/** The signin signature: hex HMAC-SHA256 of `<socket_id>::user::<user_data>` with the tenant secret. */
export function signUserAuth(secret: string, socketId: string, userData: string): string {
  return createHmac('sha256', secret).update(`${socketId}::user::${userData}`).digest('hex');
}

/** Checks `<key>:<hexsig>` for a signin, in constant time. */
export function verifyUserAuth(secret: string, key: string, socketId: string, userData: string, auth: string): boolean {
  const colon = auth.indexOf(':');
  if (colon === -1 || auth.slice(0, colon) !== key) return false;
  return constantTimeEqual(auth.slice(colon + 1).toLowerCase(), signUserAuth(secret, socketId, userData));
}

export interface PusherUserData {
  id: string;
  watchlist: string[];
  raw: string;
}

/** Parses signin `user_data`: a JSON object with a non-empty string `id`, an optional `watchlist`. */
export function parseUserData(raw: unknown): PusherUserData | string {
  if (typeof raw !== 'string') return 'user_data must be a JSON string';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return 'user_data is not valid JSON';
  }
  if (typeof parsed !== 'object' || parsed === null) return 'user_data must be a JSON object';
  const { id, watchlist } = parsed as { id?: unknown; watchlist?: unknown };
  if (typeof id !== 'string' || id.length === 0 || id.length > 128) return 'user_data.id must be a non-empty string of at most 128 characters';
  if (watchlist !== undefined && (!Array.isArray(watchlist) || watchlist.some((w) => typeof w !== 'string'))) {
    return 'user_data.watchlist must be an array of user ids';
  }
  return { id, watchlist: (watchlist as string[] | undefined) ?? [], raw };
}
