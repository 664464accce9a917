import type { PresenceMember } from '../../access/channel-access';

/** The native protocol's own frames (server to client). */
export const nativeFrames = {
  error(code: string, message: string, channel?: string): string {
    return JSON.stringify(channel === undefined ? { type: 'error', code, message } : { type: 'error', code, message, channel });
  },
  connected(data: { socketId: string; authType: string; userId: string | null; tenantId: string | null }): string {
    return JSON.stringify({ type: 'connected', data });
  },
  authenticated(payload: { authType: string; userId: string | null; socketId: string; tenantId: string | null }): string {
    return JSON.stringify({ type: 'authenticated', payload });
  },
  authError(error: string): string {
    return JSON.stringify({ type: 'auth_error', payload: { error } });
  },
  subscribed(channel: string, members: PresenceMember[] | null): string {
    return JSON.stringify(
      members ? { type: 'subscribed', channel, data: { presence: { count: members.length, members } } } : { type: 'subscribed', channel },
    );
  },
  unsubscribed(channel: string): string {
    return JSON.stringify({ type: 'unsubscribed', channel });
  },
  pong(): string {
    return JSON.stringify({ type: 'pong', data: { timestamp: Date.now() } });
  },
  reconnect(): string {
    return JSON.stringify({ type: 'reconnect', data: { reason: 'server_restart' } });
  },
};
