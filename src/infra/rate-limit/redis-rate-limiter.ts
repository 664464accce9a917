import type { OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { decideCounts, RateLimiter, RateLimitResult, RateLimitRule } from './rate-limiter';

/**
 * Adds the caller's points not yet in Redis (ARGV[4], ARGV[5]) to the two windows, then `points`
 * to both only when neither would overflow, atomically. Returns the counts spent before this call's
 * points. KEYS: second window, minute window. ARGV: points, perSecond, perMinute, unsynced second,
 * unsynced minute.
 */
const CONSUME = `
local function add(key, n, ttl)
  local v = redis.call('INCRBY', key, n)
  if v == n then redis.call('PEXPIRE', key, ttl) end
  return v
end
local us = tonumber(ARGV[4])
local um = tonumber(ARGV[5])
local s = us > 0 and add(KEYS[1], us, 2000) or tonumber(redis.call('GET', KEYS[1]) or '0')
local m = um > 0 and add(KEYS[2], um, 61000) or tonumber(redis.call('GET', KEYS[2]) or '0')
local p = tonumber(ARGV[1])
if s + p <= tonumber(ARGV[2]) and m + p <= tonumber(ARGV[3]) then
  add(KEYS[1], p, 2000)
  add(KEYS[2], p, 61000)
end
return {s, m}
`;

/** Adds points already granted to window counters. KEYS: the windows. ARGV: points and expiry (ms) for each. Returns the new counts. */
const SYNC = `
local out = {}
for i, key in ipairs(KEYS) do
  local n = tonumber(ARGV[2 * i - 1])
  local v = redis.call('INCRBY', key, n)
  if v == n then redis.call('PEXPIRE', key, ARGV[2 * i]) end
  out[i] = v
end
return out
`;

/** The scripts as client commands: sent as EVALSHA (the text only when Redis does not have it yet). */
const CONSUME_COMMAND = 'relaybaseRateLimitConsume';
const SYNC_COMMAND = 'relaybaseRateLimitSync';
type WithScripts = Redis & {
  [CONSUME_COMMAND](second: string, minute: string, points: number, perSecond: number, perMinute: number, unsyncedSecond: number, unsyncedMinute: number): Promise<[number, number]>;
  [SYNC_COMMAND](numberOfKeys: number, ...keysThenArgs: Array<string | number>): Promise<number[]>;
};

/**
 * The share of a window's limit that one instance may grant from its own counts before Redis has
 * them. Limits below 1 / LOCAL_SHARE (100) have no share: every request is decided in Redis.
 */
export const LOCAL_SHARE = 0.01;
/** How often points granted locally are added to the counters in Redis (one script call for all keys). */
export const SYNC_INTERVAL_MS = 5;

/** One fixed window of one key, as this instance sees it. */
interface Window {
  /** Which second (or minute) since the epoch. */
  id: number;
  /** The count in Redis at the last answer from Redis about this window (this instance's synced points included). */
  known: number;
  /** Points granted here and sent to Redis, not yet answered. */
  syncing: number;
  /** Points granted here, not yet sent. */
  unsynced: number;
  /** Whether Redis has answered about this window: until then every request asks it. */
  seen: boolean;
}

interface KeyWindows {
  /** `<prefix>:rl:<rule>:<key>`; the Redis keys add `:s:<second>` and `:m:<minute>`. */
  base: string;
  second: Window;
  minute: Window;
  /** In the list of keys with unsynced points. */
  queued: boolean;
}

const newWindow = (): Window => ({ id: -1, known: 0, syncing: 0, unsynced: 0, seen: false });
const spentIn = (w: Window) => w.known + w.syncing + w.unsynced;

/**
 * Fixed-window counters in Redis, shared by every instance, without a Redis round trip per request
 * while a key is far from its limits.
 *
 * Each instance keeps, per key and window, the count Redis last reported plus the points it has
 * granted since. A request is decided:
 * - here and at once, refused, when those counts already leave no room: counts only grow within a
 *   window, so Redis could only confirm the refusal;
 * - here and at once, granted, when this instance's points not yet in Redis stay within its share
 *   (LOCAL_SHARE of the limit) and the count it knows stays at least one share below the limit; the
 *   points reach Redis within SYNC_INTERVAL_MS, in one script call for every key, whose answer
 *   refreshes the counts;
 * - otherwise in Redis, atomically, as one script call that also carries this key's unsynced points
 *   (the first request of each window, every request of a limit under 100, and the last share of
 *   each window).
 * So a key's count can exceed its limit by at most one share (1%) per other instance granting at the
 * same moment, and only when several instances reach the limit within one sync interval; a single
 * instance, and every limit under 100, is exact. X-RateLimit-Remaining is computed from the same
 * counts, so it can lag other instances' requests by as much.
 */
export class RedisRateLimiter extends RateLimiter implements OnModuleDestroy {
  private readonly rules = new Map<string, Map<string, KeyWindows>>();
  private queue: KeyWindows[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sweptAt = Date.now();
  /** Set at shutdown: nothing more is sent (the Redis client is about to close). */
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    super();
    redis.defineCommand(CONSUME_COMMAND, { numberOfKeys: 2, lua: CONSUME });
    redis.defineCommand(SYNC_COMMAND, { lua: SYNC });
  }

  onModuleDestroy(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  consumeNow(key: string, rule: RateLimitRule, points = 1): RateLimitResult | Promise<RateLimitResult> {
    const now = Date.now();
    if (now - this.sweptAt >= 60_000) this.sweep(now);
    const k = this.windowsOf(rule.name, key);
    const second = roll(k.second, Math.floor(now / 1000));
    const minute = roll(k.minute, Math.floor(now / 60_000));
    const perSecond = rule.perSecond ?? Number.POSITIVE_INFINITY;
    const perMinute = rule.perMinute ?? Number.POSITIVE_INFINITY;
    const spentSecond = spentIn(second);
    const spentMinute = spentIn(minute);
    if (spentSecond + points > perSecond || spentMinute + points > perMinute) return decideCounts(rule, spentSecond, spentMinute, points, now);
    if (second.seen && minute.seen && grantsLocally(second, perSecond, points) && grantsLocally(minute, perMinute, points)) {
      second.unsynced += points;
      minute.unsynced += points;
      this.enqueue(k);
      return decideCounts(rule, spentSecond, spentMinute, points, now);
    }
    return this.consumeInRedis(k, rule, points, now);
  }

  private consumeInRedis(k: KeyWindows, rule: RateLimitRule, points: number, now: number): Promise<RateLimitResult> {
    const { second, minute } = k;
    const secondId = second.id;
    const minuteId = minute.id;
    const movedSecond = second.unsynced;
    const movedMinute = minute.unsynced;
    second.unsynced = 0;
    minute.unsynced = 0;
    second.syncing += movedSecond;
    minute.syncing += movedMinute;
    return (this.redis as WithScripts)
      [CONSUME_COMMAND](
        `${k.base}:s:${secondId}`,
        `${k.base}:m:${minuteId}`,
        points,
        rule.perSecond ?? 2 ** 52,
        rule.perMinute ?? 2 ** 52,
        movedSecond,
        movedMinute,
      )
      .then(
        ([spentSecond, spentMinute]) => {
          const result = decideCounts(rule, spentSecond, spentMinute, points, now);
          const granted = result.allowed ? points : 0;
          settle(second, secondId, movedSecond, spentSecond + granted);
          settle(minute, minuteId, movedMinute, spentMinute + granted);
          return result;
        },
        (e: unknown) => {
          unsend(second, secondId, movedSecond);
          unsend(minute, minuteId, movedMinute);
          if (movedSecond + movedMinute > 0) this.enqueue(k);
          throw e;
        },
      );
  }

  private windowsOf(rule: string, key: string): KeyWindows {
    let keys = this.rules.get(rule);
    if (!keys) this.rules.set(rule, (keys = new Map()));
    let k = keys.get(key);
    if (!k) keys.set(key, (k = { base: `${this.prefix}:rl:${rule}:${key}`, second: newWindow(), minute: newWindow(), queued: false }));
    return k;
  }

  private enqueue(k: KeyWindows): void {
    if (!k.queued) {
      k.queued = true;
      this.queue.push(k);
    }
    if (!this.closed) this.timer ??= setTimeout(() => this.sync(), SYNC_INTERVAL_MS).unref();
  }

  /** Sends every unsynced point in one script call; its answer refreshes the counts of those windows. */
  private sync(): void {
    this.timer = null;
    const queue = this.queue;
    this.queue = [];
    const keys: string[] = [];
    const args: number[] = [];
    const sent: Array<{ w: Window; id: number; moved: number; k: KeyWindows }> = [];
    for (const k of queue) {
      k.queued = false;
      for (const [w, suffix, ttl] of [[k.second, ':s:', 2000], [k.minute, ':m:', 61_000]] as const) {
        if (w.unsynced === 0) continue;
        keys.push(k.base + suffix + w.id);
        args.push(w.unsynced, ttl);
        sent.push({ w, id: w.id, moved: w.unsynced, k });
        w.syncing += w.unsynced;
        w.unsynced = 0;
      }
    }
    if (keys.length === 0) return;
    (this.redis as WithScripts)[SYNC_COMMAND](keys.length, ...keys, ...args).then(
      (counts) => {
        for (let i = 0; i < sent.length; i++) settle(sent[i].w, sent[i].id, sent[i].moved, counts[i]);
      },
      () => {
        // Kept for the next sync (Redis unreachable): the points were granted and must be counted.
        for (const s of sent) {
          unsend(s.w, s.id, s.moved);
          if (s.w.id === s.id) this.enqueue(s.k);
        }
      },
    );
  }

  /** Forgets keys untouched for over a minute, so idle keys do not accumulate. */
  private sweep(now: number): void {
    this.sweptAt = now;
    const minute = Math.floor(now / 60_000);
    for (const keys of this.rules.values()) {
      for (const [key, k] of keys) if (!k.queued && k.minute.id < minute && k.minute.syncing === 0) keys.delete(key);
    }
  }
}

/** The window for `id`, reset when a new window has begun. */
function roll(w: Window, id: number): Window {
  if (w.id !== id) {
    w.id = id;
    w.known = 0;
    w.syncing = 0;
    w.unsynced = 0;
    w.seen = false;
  }
  return w;
}

/** Whether a window lets this instance grant `points` from its own counts (see RedisRateLimiter). */
function grantsLocally(w: Window, limit: number, points: number): boolean {
  if (limit === Number.POSITIVE_INFINITY) return true;
  const share = Math.floor(limit * LOCAL_SHARE);
  return w.syncing + w.unsynced + points <= share && spentIn(w) + points <= limit - share;
}

/** Redis answered about window `id` after taking `moved` of its points: its count is now `count`. */
function settle(w: Window, id: number, moved: number, count: number): void {
  if (w.id !== id) return;
  w.syncing -= moved;
  if (count > w.known) w.known = count;
  w.seen = true;
}

/** Redis did not take `moved` points of window `id`: they are unsynced again. */
function unsend(w: Window, id: number, moved: number): void {
  if (w.id !== id) return;
  w.syncing -= moved;
  w.unsynced += moved;
}
