/**
 * Redis key and topic names, all under REDIS_KEY_PREFIX (`P` below):
 *   P:rt:instances              ZSET  instance id -> last heartbeat (ms, Redis clock)
 *   P:rt:conns                  HASH  tenant id -> connections in the cluster
 *   P:rt:occ:<tenant>           HASH  channel -> subscriptions in the cluster
 *   P:rt:pm:<tenant>:<channel>  HASH  user id -> number of instances where the user is present
 *   P:rt:pi:<tenant>:<channel>  HASH  user id -> user info (JSON); its fields are the member list
 *   P:rt:inst:<id>:conns        HASH  tenant id -> this instance's share of P:rt:conns
 *   P:rt:inst:<id>:occ          HASH  "<tenant>\n<channel>" -> this instance's share of P:rt:occ
 *   P:rt:inst:<id>:pres         SET   "<tenant>\n<channel>\n<user>" present through this instance
 * Pub/sub topics:
 *   P:rt:ch:<tenant>:<channel>  events of one channel
 *   P:rt:bc:<tenant>            tenant-wide broadcasts
 *   P:rt:usr:<tenant>:<user>    events addressed to one user, and terminations
 * The per-instance keys are what a sweep subtracts when an instance dies without cleaning up.
 */
export class ClusterKeys {
  readonly instances: string;
  readonly connections: string;
  readonly occupancyPrefix: string;
  readonly membersPrefix: string;
  readonly infoPrefix: string;

  constructor(private readonly prefix: string) {
    this.instances = `${prefix}:rt:instances`;
    this.connections = `${prefix}:rt:conns`;
    this.occupancyPrefix = `${prefix}:rt:occ:`;
    this.membersPrefix = `${prefix}:rt:pm:`;
    this.infoPrefix = `${prefix}:rt:pi:`;
  }

  occupancy(tenantId: string): string {
    return this.occupancyPrefix + tenantId;
  }
  members(tenantId: string, channel: string): string {
    return `${this.membersPrefix}${tenantId}:${channel}`;
  }
  info(tenantId: string, channel: string): string {
    return `${this.infoPrefix}${tenantId}:${channel}`;
  }
  instanceConnections(id: string): string {
    return `${this.prefix}:rt:inst:${id}:conns`;
  }
  instanceOccupancy(id: string): string {
    return `${this.prefix}:rt:inst:${id}:occ`;
  }
  instancePresence(id: string): string {
    return `${this.prefix}:rt:inst:${id}:pres`;
  }
  channelTopic(tenantId: string, channel: string): string {
    return `${this.prefix}:rt:ch:${tenantId}:${channel}`;
  }
  broadcastTopic(tenantId: string): string {
    return `${this.prefix}:rt:bc:${tenantId}`;
  }
  userTopic(tenantId: string, userId: string): string {
    return `${this.prefix}:rt:usr:${tenantId}:${userId}`;
  }
}
