import type { PresenceMember } from '../access/channel-access';
import { channelKind } from '../access/channel-name';
import type { ChannelOccupancy, ClusterState } from './cluster-state';

const bump = <K>(map: Map<K, number>, key: K, delta: number): number => {
  const n = (map.get(key) ?? 0) + delta;
  if (n > 0) map.set(key, n);
  else map.delete(key);
  return n;
};

/** Embedded mode: this instance is the whole cluster, so the state is a few in-memory maps. */
export class LocalClusterState implements ClusterState {
  readonly local = true;
  private readonly connections = new Map<string, number>();
  private readonly occupancy = new Map<string, Map<string, number>>();
  private readonly presence = new Map<string, Map<string, PresenceMember>>();

  async start(): Promise<void> {}

  tryAcquireConnection(tenantId: string, limit: number): boolean {
    if ((this.connections.get(tenantId) ?? 0) >= limit) return false;
    bump(this.connections, tenantId, 1);
    return true;
  }

  changeConnections(tenantId: string, delta: number): void {
    bump(this.connections, tenantId, delta);
  }

  async connectionCount(tenantId: string): Promise<number> {
    return this.connections.get(tenantId) ?? 0;
  }

  changeSubscriptions(tenantId: string, channel: string, delta: number): number {
    let channels = this.occupancy.get(tenantId);
    if (!channels) this.occupancy.set(tenantId, (channels = new Map()));
    const n = bump(channels, channel, delta);
    if (channels.size === 0) this.occupancy.delete(tenantId);
    return n;
  }

  async presenceJoin(tenantId: string, channel: string, member: PresenceMember): Promise<boolean> {
    const key = `${tenantId}\n${channel}`;
    let members = this.presence.get(key);
    if (!members) this.presence.set(key, (members = new Map()));
    const isNew = !members.has(member.userId);
    members.set(member.userId, member);
    return isNew;
  }

  async presenceLeave(tenantId: string, channel: string, userId: string): Promise<boolean> {
    const key = `${tenantId}\n${channel}`;
    const members = this.presence.get(key);
    const left = members?.delete(userId) ?? false;
    if (members?.size === 0) this.presence.delete(key);
    return left;
  }

  async presenceMembers(tenantId: string, channel: string): Promise<PresenceMember[]> {
    return [...(this.presence.get(`${tenantId}\n${channel}`)?.values() ?? [])];
  }

  async channels(tenantId: string): Promise<ChannelOccupancy[]> {
    return Promise.all([...(this.occupancy.get(tenantId)?.keys() ?? [])].map((name) => this.channel(tenantId, name)));
  }

  async channel(tenantId: string, name: string): Promise<ChannelOccupancy> {
    const occupancy: ChannelOccupancy = { name, subscriptionCount: this.occupancy.get(tenantId)?.get(name) ?? 0 };
    if (channelKind(name) === 'presence') occupancy.userCount = this.presence.get(`${tenantId}\n${name}`)?.size ?? 0;
    return occupancy;
  }

  async stop(): Promise<void> {}
  abandon(): void {}
}
