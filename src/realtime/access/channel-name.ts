/** What a channel name says about who may use it. */
export type ChannelKind = 'public' | 'private' | 'presence' | 'user';

/**
 * Letters, digits and `_ - = @ , . ; :` (Pusher's set plus `:` for names like `conversation:conv-1`
 * and `user:<id>`). No spaces, slashes, `#` or control characters, so a name is safe in a Redis key,
 * a pub/sub topic and the newline-separated bus envelope.
 */
const NAME_PATTERN = /^[A-Za-z0-9_\-=@,.;:]+$/;
const USER_PREFIX = 'user:';

/** Why `name` is not an acceptable channel name, or null when it is. */
export function channelNameError(name: unknown, maxLength: number): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'Channel required';
  if (name.length > maxLength) return `Channel name exceeds ${maxLength} characters`;
  if (!NAME_PATTERN.test(name)) return 'Invalid channel name: use letters, digits and _ - = @ , . ; : only';
  if (name === USER_PREFIX) return 'Invalid channel name: user: needs a user id';
  if (name === 'private-' || name === 'presence-') return 'Invalid channel name: the prefix needs a name after it';
  return null;
}

export function channelKind(name: string): ChannelKind {
  if (name.startsWith('presence-')) return 'presence';
  if (name.startsWith('private-')) return 'private';
  if (name.startsWith(USER_PREFIX)) return 'user';
  return 'public';
}

/** The user id of a `user:<id>` channel. */
export function userChannelOwner(name: string): string {
  return name.slice(USER_PREFIX.length);
}

/** Event names: what a publisher may call an event (never a protocol message type). */
const EVENT_PATTERN = /^[A-Za-z0-9_\-=@,.;:]{1,64}$/;
/** Types the native protocol uses for its own frames, and prefixes reserved for internal events. */
const RESERVED_EVENTS = new Set([
  'error', 'subscribed', 'unsubscribed', 'pong', 'connected', 'authenticated', 'auth_error', 'reconnect',
  'broadcast', 'member_added', 'member_removed',
]);
const RESERVED_PREFIXES = ['rb:', 'pusher:', 'pusher_internal:'];

export function eventNameError(name: unknown): string | null {
  if (typeof name !== 'string' || !EVENT_PATTERN.test(name)) {
    return 'Event type must be 1-64 characters: letters, digits and _ - = @ , . ; :';
  }
  if (RESERVED_EVENTS.has(name) || RESERVED_PREFIXES.some((p) => name.startsWith(p))) return `Event type ${name} is reserved`;
  return null;
}

/** User ids end up in Redis fields and the bus envelope: bounded, without control characters. */
const CONTROL = /[\u0000-\u001f\u007f]/;
export function isValidUserId(id: unknown): id is string {
  return typeof id === 'string' && id.length > 0 && id.length <= 128 && !CONTROL.test(id);
}
