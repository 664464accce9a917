import type { PresenceMember } from '../access/channel-access';

export interface ChannelOccupancy {
  name: string;
  /** Subscriptions (connections) to the channel across the cluster. */
  subscriptionCount: number;
  /** Presence channels: distinct users present across the cluster. */
  userCount?: number;
}

/** A presence member that disappeared with a dead instance (reported by the sweep). */
export interface ReapedMember {
  tenantId: string;
  channel: string;
  userId: string;
}

/**
 * Cluster-wide counts and presence. Two implementations: RedisClusterState (shared by every
 * instance, with heartbeats so that the entries of a dead instance are removed by the others) and
 * LocalClusterState (embedded: this instance is the cluster). Every mutation is issued in call
 * order, so a leave issued after a join is applied after it.
 */
export interface ClusterState {
  /**
   * In-process state (embedded): the connection and subscription counters below answer at once,
   * without a promise, so the connect and subscribe paths need not wait for them.
   */
  readonly local: boolean;
  start(onReaped: (members: ReapedMember[]) => void, onSelfReaped: () => void): Promise<void>;
  /** Counts a connection for the tenant unless it already has `limit`; false when full. */
  tryAcquireConnection(tenantId: string, limit: number): boolean | Promise<boolean>;
  /** Changes the tenant's connection count without a limit (release, or re-registration). */
  changeConnections(tenantId: string, delta: number): void | Promise<void>;
  connectionCount(tenantId: string): Promise<number>;
  /** Changes the channel's subscriptions in the cluster; resolves with the new cluster-wide count. */
  changeSubscriptions(tenantId: string, channel: string, delta: number): number | Promise<number>;
  /** Records that this instance has the user in the channel; true when the user is new to the cluster. */
  presenceJoin(tenantId: string, channel: string, member: PresenceMember): Promise<boolean>;
  /** Records that this instance no longer has the user; true when the user left the cluster. */
  presenceLeave(tenantId: string, channel: string, userId: string): Promise<boolean>;
  presenceMembers(tenantId: string, channel: string): Promise<PresenceMember[]>;
  channels(tenantId: string): Promise<ChannelOccupancy[]>;
  channel(tenantId: string, name: string): Promise<ChannelOccupancy>;
  /** Removes what is left of this instance's entries and its heartbeat. */
  stop(): Promise<void>;
  /** Stops heartbeats and sweeps and never writes again (crash semantics). */
  abandon(): void;
}

export const CLUSTER_STATE = Symbol('CLUSTER_STATE');
