import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Where held "gone" transitions are marked, so a "back" transition can find and cancel them.
 * In-process for one instance; Redis when the hub runs as a cluster, so a channel vacated on one
 * instance and re-occupied on another is still one non-event.
 */
export interface FlapStore {
  /** Marks `key` as held by `token` for `ttlMs`. */
  set(key: string, token: string, ttlMs: number): Promise<void>;
  /** Removes the mark if it is still `token`'s; true when it was (the held event should go out). */
  takeIfOwner(key: string, token: string): Promise<boolean>;
  /** Removes any mark; true when there was one (the held event is cancelled). */
  take(key: string): Promise<boolean>;
}

export class LocalFlapStore implements FlapStore {
  private readonly marks = new Map<string, { token: string; expiresAt: number }>();

  async set(key: string, token: string, ttlMs: number): Promise<void> {
    this.marks.set(key, { token, expiresAt: Date.now() + ttlMs });
  }

  async takeIfOwner(key: string, token: string): Promise<boolean> {
    const mark = this.marks.get(key);
    if (!mark || mark.token !== token) return false;
    this.marks.delete(key);
    return true;
  }

  async take(key: string): Promise<boolean> {
    const mark = this.marks.get(key);
    this.marks.delete(key);
    return mark !== undefined && mark.expiresAt > Date.now();
  }
}

const TAKE_IF_OWNER = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class RedisFlapStore implements FlapStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async set(key: string, token: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.prefix + key, token, 'PX', Math.max(1, ttlMs));
  }

  async takeIfOwner(key: string, token: string): Promise<boolean> {
    return (await this.redis.eval(TAKE_IF_OWNER, 1, this.prefix + key, token)) === 1;
  }

  async take(key: string): Promise<boolean> {
    return (await this.redis.del(this.prefix + key)) > 0;
  }
}

/**
 * Reconnect flap suppression. A "gone" transition (channel_vacated, member_removed) is held for
 * `windowMs`; if the matching "back" transition (channel_occupied, member_added) for the same key
 * arrives meanwhile, both are dropped. Otherwise the held one is released when the window ends.
 *
 * The timer lives in the instance that held the event. Marks outlive the window by `graceMs`, so
 * when that instance dies before releasing, a later "back" is still dropped: the receiver never
 * saw the "gone", so it must not see a second "back" either.
 */
export class FlapSuppressor {
  /** Held events, until their release (if any) has completed: drain() relies on that. */
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; fired: boolean; release: () => Promise<void> }>();

  constructor(
    private readonly store: FlapStore,
    private readonly windowMs: number,
    private readonly onError: (e: unknown) => void = () => undefined,
    private readonly graceMs = 1_000,
  ) {}

  /** Holds `release` for the window under `key`; a later hold of the same key replaces this one. */
  async hold(key: string, release: () => Promise<void> | void): Promise<void> {
    if (this.windowMs <= 0) return void (await release());
    const token = randomUUID();
    await this.store.set(key, token, this.windowMs + this.graceMs);
    const id = `${key}\u0000${token}`;
    const fire = async () => {
      const entry = this.pending.get(id);
      if (!entry || entry.fired) return;
      entry.fired = true;
      clearTimeout(entry.timer);
      try {
        if (await this.store.takeIfOwner(key, token)) await release();
      } catch (e) {
        this.onError(e);
      } finally {
        this.pending.delete(id);
      }
    };
    this.pending.set(id, { timer: setTimeout(() => void fire(), this.windowMs), fired: false, release: fire });
  }

  /** A "back" transition: true when it cancelled a held "gone", in which case it must be dropped too. */
  async back(key: string): Promise<boolean> {
    if (this.windowMs <= 0) return false;
    return this.store.take(key);
  }

  /** Number of held events (for tests and metrics). */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Waits for every held event's window to end and for the releases of those not cancelled to
   * complete; used on shutdown
   * so a deploy neither loses nor flaps them (reconnects to other instances still cancel them).
   */
  async drain(): Promise<void> {
    await new Promise<void>((resolve) => {
      const check = () => (this.pending.size === 0 ? resolve() : setTimeout(check, 20));
      check();
    });
  }

  /** Releases every held event now (the window is cut short) and waits for the releases. */
  async flushNow(): Promise<void> {
    await Promise.all([...this.pending.values()].map((p) => p.release()));
    await this.drain();
  }
}
