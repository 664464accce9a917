import { randomInt } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import type { PresenceMember } from '../access/channel-access';
import { BusMessage, decodeBusMessage, encodeBusMessage } from '../bus/bus-message';
import { REALTIME_BUS, RealtimeBus } from '../bus/realtime-bus';
import { ClusterKeys } from '../cluster/cluster-keys';
import { CLUSTER_STATE, ClusterState, ReapedMember } from '../cluster/cluster-state';
import { RealtimeMetrics } from '../metrics/realtime-metrics.service';
import { REALTIME_INSTANCE_ID } from '../realtime.tokens';
import { FanOut } from './fan-out';
import { HubConnection } from './hub-connection';
import { HubEvent, MEMBER_ADDED, MEMBER_REMOVED } from './hub-event';
import { LocalChannel } from './local-channel';
import { HubEventReporter, REALTIME_EVENT_SINK, RealtimeEvent, RealtimeEventSink } from './realtime-events';
import { TenantConnections } from './tenant-connections';
import { withTimeout } from './with-timeout';
import type { WireDialect } from './wire-dialect';

export interface PublishInput {
  name: string;
  /** The payload, already JSON. */
  dataJson: string;
  excludeSocketId?: string;
  userId?: string;
}

/**
 * The one place that knows which connection is in which channel and delivers to them. Dialects and
 * REST call it; it holds no rules about who may do what (SubscriptionService and channel-access.ts
 * decide that before calling in). A publish is delivered to this instance's subscribers at once —
 * serialised once per dialect, framed once, the same Buffer written to every recipient through the
 * write coalescer, nothing awaited — and handed to the bus for the other instances.
 */
@Injectable()
export class RealtimeHub {
  readonly instanceId: string;
  private readonly logger = new Logger('RealtimeHub');
  private readonly connections = new Set<HubConnection>();
  private readonly channels = new Map<string, LocalChannel>();
  private readonly tenants = new Map<string, TenantConnections>();
  /** Connections bound to a user, by `tenantId\nuserId`. */
  private readonly users = new Map<string, TenantConnections>();
  private readonly keys: ClusterKeys;
  private readonly fanOut: FanOut;
  private readonly inFlight = new Set<Promise<unknown>>();
  private socketSeq = 0;
  private readonly socketPrefix = randomInt(1, 2 ** 31 - 1);
  private abandoned = false;
  private readonly events: HubEventReporter;
  private readonly lossyPrefixes: string[] = [];
  /** The connections gauge's child per dialect (labels resolved once, not per connect). */
  private readonly connectionGauges: Array<{ inc(): void; dec(): void }> = [];

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REALTIME_BUS) private readonly bus: RealtimeBus,
    @Inject(CLUSTER_STATE) private readonly cluster: ClusterState,
    private readonly metrics: RealtimeMetrics,
    @Inject(REALTIME_INSTANCE_ID) instanceId: string,
    @Inject(REALTIME_EVENT_SINK) sink: RealtimeEventSink,
  ) {
    this.events = new HubEventReporter(sink);
    this.instanceId = instanceId;
    this.keys = new ClusterKeys(config.redis.keyPrefix);
    this.fanOut = new FanOut(
      config.realtime.maxBufferedBytes,
      metrics,
      (conn) => this.dropSlowConsumer(conn),
      (conn, dropped) => this.noteLossyDrop(conn, dropped),
    );
  }

  /** Starts the bus and the cluster heartbeat. */
  async start(): Promise<void> {
    await this.bus.start((payload) => this.onBusMessage(payload));
    await this.cluster.start(
      (members) => this.onReaped(members),
      () => this.reregister(),
    );
  }

  /**
   * Channels whose names start with `prefix` (feed data) drop their oldest frames for a slow
   * subscriber instead of disconnecting it; the subscriber is told once.
   */
  markLossy(prefix: string): void {
    this.lossyPrefixes.push(prefix);
  }

  /** Registers a wire format; the returned index goes into each of its connections. */
  registerDialect(dialect: WireDialect): number {
    this.fanOut.dialects.push(dialect);
    this.connectionGauges.push(this.metrics.connections.labels(dialect.name));
    return this.fanOut.dialects.length - 1;
  }

  /** A new socket id, unique in the cluster (random instance part), in Pusher's `\d+.\d+` form. */
  newSocketId(): string {
    return `${this.socketPrefix}.${++this.socketSeq}`;
  }

  /**
   * Takes one of the tenant's connection slots, cluster-wide; false when the plan's limit is reached.
   * Answers at once (no promise) when the cluster state is in-process.
   */
  admit(tenantId: string, limit: number): boolean | Promise<boolean> {
    const acquired = this.cluster.tryAcquireConnection(tenantId, limit);
    return typeof acquired === 'boolean' ? acquired : withTimeout(acquired);
  }

  /** Gives back a slot taken by admit() for a connection that never got attached. */
  releaseAdmission(tenantId: string): void {
    this.track(this.cluster.changeConnections(tenantId, -1));
  }

  /**
   * Adds an admitted, authenticated connection: counted, and reached by its tenant's broadcasts.
   * Returns a promise only while the tenant's bus subscription is still being set up; otherwise the
   * connection is complete when this returns.
   */
  attach(conn: HubConnection): void | Promise<void> {
    this.connections.add(conn);
    conn.attached = true;
    this.connectionGauges[conn.dialect].inc();
    const tenantId = conn.tenantId;
    if (tenantId === null) return;
    let group = this.tenants.get(tenantId);
    if (!group) {
      this.tenants.set(tenantId, (group = new TenantConnections()));
      this.listen(group, this.keys.broadcastTopic(tenantId));
    }
    group.add(conn);
    this.events.connection(tenantId, conn.id, true);
    if (!group.isReady) return withTimeout(group.ready);
  }

  /** Removes a closed connection: leaves its channels (presence included) and frees its tenant slot. */
  detach(conn: HubConnection): void {
    conn.closed = true;
    if (!conn.attached) return;
    conn.attached = false;
    this.connections.delete(conn);
    this.connectionGauges[conn.dialect].dec();
    for (const name of [...conn.channels.keys()]) this.unsubscribe(conn, name);
    const tenantId = conn.tenantId;
    if (tenantId === null) return;
    this.unbindUser(conn);
    const group = this.tenants.get(tenantId);
    if (group) {
      group.remove(conn);
      if (group.size === 0) {
        this.tenants.delete(tenantId);
        this.bus.unsubscribe(this.keys.broadcastTopic(tenantId));
      }
    }
    this.track(this.cluster.changeConnections(tenantId, -1));
    if (!this.abandoned) this.events.connection(tenantId, conn.id, false);
  }

  /**
   * Subscribes an authorised connection. Settles once events published anywhere in the cluster reach
   * it and the cluster counts include it; for presence channels, with the member list. Every cluster
   * write is issued before the first await, so a later unsubscribe is applied after it.
   * `namespace` is the space the channel name lives in: the connection's tenant by default; feeds
   * pass `feeds` (their subscribers are accounts that may have no tenant). A connection's channel
   * names must be unique across the namespaces it uses (feed channel names contain `#`, which
   * tenant channel names cannot).
   */
  async subscribe(
    conn: HubConnection,
    channel: string,
    member: PresenceMember | null,
    namespace: string = conn.tenantId!,
  ): Promise<PresenceMember[] | null> {
    return this.join(conn, channel, member, namespace);
  }

  /**
   * subscribe() without a promise where there is nothing to wait for: a non-presence channel whose
   * bus subscription is active, with in-process cluster state (the common case on the connect path).
   */
  join(
    conn: HubConnection,
    channel: string,
    member: PresenceMember | null,
    namespace: string = conn.tenantId!,
  ): PresenceMember[] | null | Promise<PresenceMember[] | null> {
    const tenantId = namespace;
    const key = tenantId + '\n' + channel;
    let ch = this.channels.get(key);
    if (!ch) {
      const lossy = this.lossyPrefixes.length > 0 && this.lossyPrefixes.some((p) => channel.startsWith(p));
      ch = new LocalChannel(key, tenantId, channel, channel.startsWith('presence-'), lossy);
      this.channels.set(key, ch);
      this.listen(ch, this.keys.channelTopic(tenantId, channel));
    }
    ch.add(conn);
    conn.channels.set(channel, ch);
    this.metrics.subscriptions.inc();
    const pending: Promise<unknown>[] = [];
    if (!ch.isReady) pending.push(ch.ready);
    const counted = this.cluster.changeSubscriptions(tenantId, channel, 1);
    if (typeof counted === 'number') this.events.occupancy(tenantId, channel, 1, counted);
    else pending.push(counted.then((n) => this.events.occupancy(tenantId, channel, 1, n)));
    if (member && ch.roster && ch.roster.join(conn.id, member.userId, member.userInfo)) {
      pending.push(
        this.cluster.presenceJoin(tenantId, channel, member).then((isNew) => {
          if (!isNew) return;
          this.publishPresence(tenantId, channel, MEMBER_ADDED, member, conn.id);
          this.events.member(tenantId, channel, member.userId, true);
        }),
      );
    }
    if (!ch.roster && pending.length === 0) return null;
    const all = pending.length === 1 ? pending[0] : Promise.all(pending);
    return withTimeout(all).then(() => (ch.roster ? withTimeout(this.cluster.presenceMembers(tenantId, channel)) : null));
  }

  /** Unsubscribes; false when the connection was not subscribed. Never awaits: cluster writes are tracked. */
  unsubscribe(conn: HubConnection, channel: string): boolean {
    const ch = conn.channels.get(channel);
    if (!ch) return false;
    conn.channels.delete(channel);
    ch.remove(conn);
    this.metrics.subscriptions.dec();
    const tenantId = ch.tenantId;
    const counted = this.cluster.changeSubscriptions(tenantId, channel, -1);
    if (typeof counted === 'number') this.events.occupancy(tenantId, channel, -1, counted);
    else {
      this.track(
        counted.then((n) => {
          if (!this.abandoned) this.events.occupancy(tenantId, channel, -1, n);
        }),
      );
    }
    const left = ch.roster?.leave(conn.id);
    if (left?.last) {
      const userId = left.userId;
      this.track(
        this.cluster.presenceLeave(tenantId, channel, userId).then((gone) => {
          if (!gone || this.abandoned) return;
          this.publishPresence(tenantId, channel, MEMBER_REMOVED, { userId, userInfo: null }, '');
          this.events.member(tenantId, channel, userId, false);
        }),
      );
    }
    if (ch.size === 0) {
      this.channels.delete(ch.key);
      this.bus.unsubscribe(this.keys.channelTopic(tenantId, channel));
    }
    return true;
  }

  /** Delivers an event to the channel's subscribers on every instance. `tenantId` is the channel's namespace (see subscribe). */
  publish(tenantId: string, channel: string, input: PublishInput): void {
    const event = toEvent(input);
    this.deliverToChannel(tenantId, channel, event);
    this.relay({ origin: this.instanceId, kind: 'channel', tenantId, channel, event }, this.keys.channelTopic(tenantId, channel));
  }

  /**
   * Makes the connection receive events addressed to `userId` (notifications, Pusher server-to-user)
   * and be closed by terminateUser. Settles once such events published anywhere reach it.
   */
  async bindUser(conn: HubConnection, userId: string): Promise<void> {
    const tenantId = conn.tenantId;
    if (tenantId === null || conn.boundUserId === userId) return;
    this.unbindUser(conn);
    conn.boundUserId = userId;
    const key = tenantId + '\n' + userId;
    let group = this.users.get(key);
    if (!group) {
      this.users.set(key, (group = new TenantConnections()));
      this.listen(group, this.keys.userTopic(tenantId, userId));
    }
    group.add(conn);
    if (!group.isReady) await withTimeout(group.ready);
  }

  /** Delivers an event to every connection bound to the user, on every instance. */
  publishToUser(tenantId: string, userId: string, input: PublishInput): void {
    const event = toEvent(input);
    this.deliverToUser(tenantId, userId, event);
    this.relay({ origin: this.instanceId, kind: 'user', tenantId, channel: userId, event }, this.keys.userTopic(tenantId, userId));
  }

  /**
   * publishToUser for several users at once (a chat message to a room's members): on this instance
   * the event is encoded once per dialect for all of them where the dialect allows (see FanOut.toUsers).
   */
  publishToUsers(tenantId: string, userIds: readonly string[], input: PublishInput): void {
    const event = toEvent(input);
    const groups: TenantConnections[] = [];
    const found: string[] = [];
    for (const userId of userIds) {
      const group = this.users.get(tenantId + '\n' + userId);
      if (group) {
        groups.push(group);
        found.push(userId);
      }
    }
    if (groups.length > 0) this.fanOut.toUsers(groups, found, event);
    for (const userId of userIds) this.relay({ origin: this.instanceId, kind: 'user', tenantId, channel: userId, event }, this.keys.userTopic(tenantId, userId));
  }

  /** Closes every connection bound to the user, on every instance, the way each dialect does it. */
  terminateUser(tenantId: string, userId: string): void {
    this.terminateLocalUser(tenantId, userId);
    const event = toEvent({ name: 'terminate', dataJson: 'null' });
    this.relay({ origin: this.instanceId, kind: 'terminate', tenantId, channel: userId, event }, this.keys.userTopic(tenantId, userId));
  }

  /** Takes every connection bound to the user out of the channel, on every instance (a user removed from a room). */
  evictUser(tenantId: string, userId: string, channel: string): void {
    this.evictLocalUser(tenantId, userId, channel);
    const event = toEvent({ name: 'evict', dataJson: JSON.stringify(channel) });
    this.relay({ origin: this.instanceId, kind: 'evict', tenantId, channel: userId, event }, this.keys.userTopic(tenantId, userId));
  }

  /** Reports a dialect's event (client event, cache miss, subscription count) to webhooks. */
  report(tenantId: string, event: RealtimeEvent): void {
    this.events.report(tenantId, event);
  }

  /** Delivers an event to every connection of the tenant on every instance. */
  broadcast(tenantId: string, input: PublishInput): void {
    const event = toEvent(input);
    this.deliverToTenant(tenantId, event);
    this.relay({ origin: this.instanceId, kind: 'broadcast', tenantId, channel: '', event }, this.keys.broadcastTopic(tenantId));
  }

  /** Sends one connection a protocol frame (replies, errors) through the same coalesced path. */
  sendText(conn: HubConnection, text: string): void {
    this.fanOut.sendText(conn, text);
  }

  /**
   * Whether frames published on this instance wait for the write coalescer's scheduled flush. A
   * `setImmediate` queued while this is true runs after that flush has written them (or its first
   * slice of FLUSH_SLICE_MS): the trigger API answers that way, after the deliveries it made.
   */
  get writesPending(): boolean {
    return this.fanOut.writesPending;
  }

  /**
   * Writes what is waiting in the coalescer for this connection now. Call it before `ws.close()`
   * (or anything else `ws` writes at once) so that frames sent just before arrive before the close.
   */
  flushConnection(conn: HubConnection): void {
    this.fanOut.flushConnection(conn);
  }

  /** Presence members of a channel across the cluster. */
  clusterMembers(tenantId: string, channel: string): Promise<PresenceMember[]> {
    return withTimeout(this.cluster.presenceMembers(tenantId, channel));
  }

  /** Presence members of a channel as this instance holds them (the cluster's list is in ClusterState). */
  localMembers(tenantId: string, channel: string): PresenceMember[] {
    return this.channels.get(tenantId + '\n' + channel)?.roster?.list() ?? [];
  }

  allConnections(): Iterable<HubConnection> {
    return this.connections;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Waits (bounded) for the cluster writes that closing connections issued. */
  async settle(timeoutMs: number): Promise<void> {
    const all = Promise.allSettled([...this.inFlight]);
    await Promise.race([all, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  /** Crash semantics: forget the cluster, write nothing more to it. */
  abandon(): void {
    this.abandoned = true;
  }

  private deliverToChannel(tenantId: string, channel: string, event: HubEvent): void {
    const ch = this.channels.get(tenantId + '\n' + channel);
    if (ch) this.fanOut.toChannel(ch, event);
  }

  private deliverToUser(tenantId: string, userId: string, event: HubEvent): void {
    const group = this.users.get(tenantId + '\n' + userId);
    if (group) this.fanOut.toUser(group, userId, event);
  }

  private terminateLocalUser(tenantId: string, userId: string): void {
    const group = this.users.get(tenantId + '\n' + userId);
    if (!group) return;
    for (const set of group.byDialect) {
      for (const conn of [...(set ?? [])]) {
        // What was published to it before goes out before the dialect's close (which ws writes at once).
        this.fanOut.flushConnection(conn);
        this.fanOut.dialects[conn.dialect].terminate(conn);
      }
    }
  }

  private evictLocalUser(tenantId: string, userId: string, channel: string): void {
    const group = this.users.get(tenantId + '\n' + userId);
    if (!group) return;
    for (const set of group.byDialect) for (const conn of [...(set ?? [])]) if (conn.channels.has(channel)) this.unsubscribe(conn, channel);
  }

  private unbindUser(conn: HubConnection): void {
    const userId = conn.boundUserId;
    const tenantId = conn.tenantId;
    if (userId === null || tenantId === null) return;
    conn.boundUserId = null;
    const key = tenantId + '\n' + userId;
    const group = this.users.get(key);
    if (!group) return;
    group.remove(conn);
    if (group.size === 0) {
      this.users.delete(key);
      this.bus.unsubscribe(this.keys.userTopic(tenantId, userId));
    }
  }

  private deliverToTenant(tenantId: string, event: HubEvent): void {
    const group = this.tenants.get(tenantId);
    if (group) this.fanOut.toTenant(group, event);
  }

  /**
   * Subscribes this instance to a bus topic for a new channel or group. With the in-process bus there
   * is nothing to wait for, so the group is ready at once and its joiners need no promise.
   */
  private listen(group: { ready: Promise<void>; isReady: boolean }, topic: string): void {
    if (!this.bus.distributed) {
      group.isReady = true;
      return;
    }
    group.ready = this.bus.subscribe(topic);
    group.ready.then(
      () => (group.isReady = true),
      () => undefined, // joiners see the rejection through `ready`
    );
  }

  private relay(message: BusMessage, topic: string): void {
    if (this.bus.distributed && !this.abandoned) this.bus.publish(topic, encodeBusMessage(message));
  }

  private onBusMessage(payload: string): void {
    const message = decodeBusMessage(payload);
    if (!message) {
      this.metrics.busErrors.inc();
      return;
    }
    switch (message.kind) {
      case 'channel':
        return this.deliverToChannel(message.tenantId, message.channel, message.event);
      case 'broadcast':
        return this.deliverToTenant(message.tenantId, message.event);
      case 'user':
        return this.deliverToUser(message.tenantId, message.channel, message.event);
      case 'terminate':
        return this.terminateLocalUser(message.tenantId, message.channel);
      case 'evict':
        return this.evictLocalUser(message.tenantId, message.channel, JSON.parse(message.event.dataJson) as string);
    }
  }

  private publishPresence(tenantId: string, channel: string, name: string, member: PresenceMember, exclude: string): void {
    const dataJson = JSON.stringify({ userId: member.userId, userInfo: member.userInfo ?? null });
    this.publish(tenantId, channel, { name, dataJson, excludeSocketId: exclude, userId: member.userId });
  }

  private onReaped(members: ReapedMember[]): void {
    for (const m of members) {
      this.publishPresence(m.tenantId, m.channel, MEMBER_REMOVED, { userId: m.userId, userInfo: null }, '');
      this.events.member(m.tenantId, m.channel, m.userId, false);
    }
  }

  /** After this instance was swept as dead while alive: put its connections and presence back. */
  private reregister(): void {
    for (const conn of this.connections) if (conn.tenantId) this.track(this.cluster.changeConnections(conn.tenantId, 1));
    for (const ch of this.channels.values()) {
      const counted = this.cluster.changeSubscriptions(ch.tenantId, ch.name, ch.size);
      if (typeof counted !== 'number') this.track(counted);
      for (const member of ch.roster?.list() ?? []) this.track(this.cluster.presenceJoin(ch.tenantId, ch.name, member));
    }
  }

  private noteLossyDrop(conn: HubConnection, dropped: number): void {
    this.metrics.lossyDropped.inc(dropped);
    if (conn.toldLagging) return;
    conn.toldLagging = true;
    const notice = this.fanOut.dialects[conn.dialect].encodeLagging();
    if (notice !== null) this.fanOut.sendText(conn, notice);
  }

  private dropSlowConsumer(conn: HubConnection): void {
    this.metrics.slowConsumers.inc();
    this.logger.debug(`Closing slow consumer ${conn.id}: ${conn.socket.writableLength} bytes unsent`);
    // It does not read, so a close frame would never arrive: drop the TCP connection.
    conn.ws.terminate();
  }

  private track(p: void | Promise<unknown>): void {
    if (!p) return;
    if (this.abandoned) {
      p.catch(() => undefined);
      return;
    }
    const tracked = p.catch((e: unknown) => {
      this.metrics.busErrors.inc();
      this.logger.warn(`Cluster state update failed: ${(e as Error)?.message ?? String(e)}`);
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }
}

function toEvent(input: PublishInput): HubEvent {
  return {
    name: input.name,
    dataJson: input.dataJson,
    excludeSocketId: input.excludeSocketId ?? '',
    userId: input.userId ?? '',
    publishedAt: Date.now(),
  };
}
