import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { PresenceMember } from '../access/channel-access';
import { channelKind } from '../access/channel-name';
import type { ChannelOccupancy, ClusterState, ReapedMember } from './cluster-state';
import { ClusterKeys } from './cluster-keys';
import { CLUSTER_SCRIPTS, ClusterScriptName } from './cluster-scripts';

type ScriptCaller = (...args: Array<string | number>) => Promise<unknown>;

export interface RedisClusterOptions {
  instanceId: string;
  heartbeatIntervalMs: number;
  instanceTtlMs: number;
  onError: (error: unknown) => void;
}

/**
 * Cluster-wide counts and presence in Redis (layout in cluster-keys.ts). Each instance beats every
 * REALTIME_HEARTBEAT_INTERVAL_MS and, on the same timer, sweeps: any instance whose last beat is older
 * than REALTIME_INSTANCE_TTL_MS has its shares subtracted and its keys deleted (atomically, so two
 * sweepers cannot subtract twice), and its vanished presence members are reported so that
 * `member_removed` goes out. A dead instance is thus gone from every count within TTL + interval.
 */
export class RedisClusterState implements ClusterState {
  readonly local = false;
  private readonly logger = new Logger('RedisClusterState');
  private readonly keys: ClusterKeys;
  private timer: NodeJS.Timeout | undefined;
  private abandoned = false;
  private beaten = false;
  private onReaped: (members: ReapedMember[]) => void = () => undefined;
  private onSelfReaped: () => void = () => undefined;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    private readonly options: RedisClusterOptions,
  ) {
    this.keys = new ClusterKeys(keyPrefix);
    for (const [name, script] of Object.entries(CLUSTER_SCRIPTS)) {
      // defineCommand is idempotent and uses EVALSHA with a fallback to EVAL.
      if (!(name in this.redis)) this.redis.defineCommand(name, script);
    }
  }

  async start(onReaped: (members: ReapedMember[]) => void, onSelfReaped: () => void): Promise<void> {
    this.onReaped = onReaped;
    this.onSelfReaped = onSelfReaped;
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.options.heartbeatIntervalMs);
    this.timer.unref();
  }

  async tryAcquireConnection(tenantId: string, limit: number): Promise<boolean> {
    const id = this.options.instanceId;
    return (await this.call('rtAcquire', this.keys.connections, this.keys.instanceConnections(id), tenantId, limit)) === 1;
  }

  async changeConnections(tenantId: string, delta: number): Promise<void> {
    const id = this.options.instanceId;
    await this.call('rtCount', this.keys.connections, this.keys.instanceConnections(id), tenantId, tenantId, delta);
  }

  async connectionCount(tenantId: string): Promise<number> {
    return Number((await this.redis.hget(this.keys.connections, tenantId)) ?? 0);
  }

  async changeSubscriptions(tenantId: string, channel: string, delta: number): Promise<number> {
    const id = this.options.instanceId;
    return Number(await this.call('rtCount', this.keys.occupancy(tenantId), this.keys.instanceOccupancy(id), channel, `${tenantId}\n${channel}`, delta));
  }

  async presenceJoin(tenantId: string, channel: string, member: PresenceMember): Promise<boolean> {
    const entry = `${tenantId}\n${channel}\n${member.userId}`;
    const info = JSON.stringify(member.userInfo ?? null);
    const keys = [this.keys.members(tenantId, channel), this.keys.info(tenantId, channel), this.keys.instancePresence(this.options.instanceId)];
    return (await this.call('rtJoin', ...keys, member.userId, info, entry)) === 1;
  }

  async presenceLeave(tenantId: string, channel: string, userId: string): Promise<boolean> {
    const entry = `${tenantId}\n${channel}\n${userId}`;
    const keys = [this.keys.members(tenantId, channel), this.keys.info(tenantId, channel), this.keys.instancePresence(this.options.instanceId)];
    return (await this.call('rtLeave', ...keys, userId, entry)) === 1;
  }

  async presenceMembers(tenantId: string, channel: string): Promise<PresenceMember[]> {
    const all = await this.redis.hgetall(this.keys.info(tenantId, channel));
    return Object.entries(all).map(([userId, info]) => ({ userId, userInfo: parseInfo(info) }));
  }

  async channels(tenantId: string): Promise<ChannelOccupancy[]> {
    const counts = await this.redis.hgetall(this.keys.occupancy(tenantId));
    const names = Object.keys(counts).filter((n) => Number(counts[n]) > 0);
    const presence = names.filter((n) => channelKind(n) === 'presence');
    const users = presence.length
      ? await Promise.all(presence.map((n) => this.redis.hlen(this.keys.info(tenantId, n))))
      : [];
    const userCounts = new Map(presence.map((n, i) => [n, users[i]]));
    return names.map((name) => {
      const o: ChannelOccupancy = { name, subscriptionCount: Number(counts[name]) };
      if (userCounts.has(name)) o.userCount = userCounts.get(name);
      return o;
    });
  }

  async channel(tenantId: string, name: string): Promise<ChannelOccupancy> {
    const count = Number((await this.redis.hget(this.keys.occupancy(tenantId), name)) ?? 0);
    const o: ChannelOccupancy = { name, subscriptionCount: Math.max(0, count) };
    if (channelKind(name) === 'presence') o.userCount = await this.redis.hlen(this.keys.info(tenantId, name));
    return o;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.abandoned) return;
    this.abandoned = true;
    // Whatever our connections' own cleanup left behind (it ran before this), and the heartbeat.
    const removed = await this.reap(this.options.instanceId, -1).catch((e: unknown) => {
      this.options.onError(e);
      return [];
    });
    if (removed.length) this.onReaped(removed);
  }

  abandon(): void {
    this.abandoned = true;
    if (this.timer) clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.abandoned) return;
    try {
      const existed = await this.call('rtHeartbeat', this.keys.instances, this.options.instanceId);
      if (existed === 0 && this.beaten) {
        // Another instance took us for dead (an event loop stalled past the TTL): register again.
        this.logger.warn('This instance was swept as dead; re-registering its connections and presence');
        this.onSelfReaped();
      }
      this.beaten = true;
      const dead = (await this.call('rtDead', this.keys.instances, this.options.instanceTtlMs)) as string[];
      for (const id of dead) {
        if (id === this.options.instanceId || this.abandoned) continue;
        const removed = await this.reap(id, this.options.instanceTtlMs);
        this.logger.log(`Swept dead instance ${id} (${removed.length} presence members removed)`);
        if (removed.length) this.onReaped(removed);
      }
    } catch (e) {
      this.options.onError(e);
    }
  }

  private async reap(id: string, ttlMs: number): Promise<ReapedMember[]> {
    const k = this.keys;
    const flat = (await this.call(
      'rtReap',
      k.instances, k.connections, k.instanceConnections(id), k.instanceOccupancy(id), k.instancePresence(id),
      id, ttlMs, k.occupancyPrefix, k.membersPrefix, k.infoPrefix,
    )) as string[];
    const removed: ReapedMember[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) removed.push({ tenantId: flat[i], channel: flat[i + 1], userId: flat[i + 2] });
    return removed;
  }

  private call(name: ClusterScriptName, ...args: Array<string | number>): Promise<unknown> {
    if (this.abandoned && name !== 'rtReap') return Promise.resolve(0);
    return (this.redis as unknown as Record<ClusterScriptName, ScriptCaller>)[name](...args);
  }
}

function parseInfo(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
