import type { PresenceMember } from '../access/channel-access';

interface Entry {
  connections: number;
  userInfo: unknown;
}

/**
 * One channel's presence on this instance, deduplicated per user: a user with three connections is
 * one member, joined with the first connection and left with the last.
 */
export class PresenceRoster {
  private readonly members = new Map<string, Entry>();
  private readonly userByConnection = new Map<string, string>();

  /** Records the connection; true when it is the user's first here (the user joined). */
  join(connectionId: string, userId: string, userInfo: unknown): boolean {
    if (this.userByConnection.has(connectionId)) return false;
    this.userByConnection.set(connectionId, userId);
    const entry = this.members.get(userId);
    if (entry) {
      entry.connections++;
      return false;
    }
    this.members.set(userId, { connections: 1, userInfo });
    return true;
  }

  /** Forgets the connection; returns the user and whether it was their last connection here. */
  leave(connectionId: string): { userId: string; last: boolean } | null {
    const userId = this.userByConnection.get(connectionId);
    if (userId === undefined) return null;
    this.userByConnection.delete(connectionId);
    const entry = this.members.get(userId)!;
    if (--entry.connections > 0) return { userId, last: false };
    this.members.delete(userId);
    return { userId, last: true };
  }

  userOf(connectionId: string): string | undefined {
    return this.userByConnection.get(connectionId);
  }

  list(): PresenceMember[] {
    return [...this.members].map(([userId, e]) => ({ userId, userInfo: e.userInfo }));
  }

  get size(): number {
    return this.members.size;
  }
}
