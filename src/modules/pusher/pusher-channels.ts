import { SERVER_TO_USER_PREFIX } from './pusher-limits';

/** Hub channel through which a user's signed-in state is shared (presence of their connections). Clients cannot name it: `#` is not allowed in channel names. */
export const ONLINE_CHANNEL_PREFIX = 'presence-#online:';

export const onlineChannel = (userId: string) => ONLINE_CHANNEL_PREFIX + userId;

export function isCacheChannel(name: string): boolean {
  return name.startsWith('cache-') || name.startsWith('private-cache-') || name.startsWith('private-encrypted-cache-') || name.startsWith('presence-cache-');
}

export function isServerToUserChannel(name: string): boolean {
  return name.startsWith(SERVER_TO_USER_PREFIX) && name.length > SERVER_TO_USER_PREFIX.length;
}

export function serverToUserId(name: string): string {
  return name.slice(SERVER_TO_USER_PREFIX.length);
}
