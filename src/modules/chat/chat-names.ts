/**
 * Room names address rooms over WebSocket (`{"type":"join","room":"general"}`) and name the channels
 * that carry a room's events, so they use the channel-name alphabet and leave room for a prefix.
 */
const ROOM_NAME = /^[A-Za-z0-9_\-=@,.;:]{1,100}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const MAX_ROOM_NAME_LENGTH = 100;

/** Why `name` cannot name a room, or null. */
export function roomNameError(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0) return 'Room required';
  if (!ROOM_NAME.test(name)) return `Invalid room name: 1-${MAX_ROOM_NAME_LENGTH} letters, digits and _ - = @ , . ; :`;
  return null;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * The hub presence channel of a room: the connections that joined the room, deduplicated per user
 * across instances; typing indicators travel on it too. The `#` is outside the channel-name
 * alphabet, so no client can subscribe to it directly: only `join` puts a connection there.
 */
export function roomPresenceChannel(room: string): string {
  return `presence-room#${room}`;
}

/** The room a presence channel belongs to, or null for any other channel. */
export function roomOfPresenceChannel(channel: string): string | null {
  return channel.startsWith('presence-room#') ? channel.slice('presence-room#'.length) : null;
}

/**
 * The public channel that also carries a room's messages as seed 004 `chat_message` events:
 * `conversation:<room>` for public rooms; `private-conversation:<room>` for private ones, so that
 * only subscribers authorised by the tenant (signature or channels claim) read a private room.
 */
export function conversationChannel(room: string, visibility: 'public' | 'private'): string {
  return visibility === 'public' ? `conversation:${room}` : `private-conversation:${room}`;
}
