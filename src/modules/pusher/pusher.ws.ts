import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { WebSocket } from 'ws';
import { DomainError } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import type { PresenceMember } from '../../realtime/access/channel-access';
import type { RealtimeIdentity } from '../../realtime/access/realtime-identity';
import { HubConnection } from '../../realtime/hub/hub-connection';
import { RealtimeHub } from '../../realtime/hub/realtime-hub.service';
import { RealtimeMetrics } from '../../realtime/metrics/realtime-metrics.service';
import { SubscriptionService } from '../../realtime/subscription.service';
import type { TenantContext } from '../../realtime/tenants/tenant-context';
import { TenantContextService } from '../../realtime/tenants/tenant-context.service';
import { UpgradeContext, WebSocketGateway } from '../../realtime/ws/websocket.gateway';
import { ChannelCacheService } from './channel-cache.service';
import { isCacheChannel, onlineChannel } from './pusher-channels';
import { pusherFrames } from './pusher-frames';
import { PusherSession, PusherSessionHost } from './pusher-session';
import { PusherDialect } from './pusher.dialect';
import { PusherSubscriptionCounts } from './pusher-subscription-counts';

/** Seconds the client may stay silent before it pings (sent in connection_established; must be non-zero). */
export const ACTIVITY_TIMEOUT_SECONDS = 120;

/** Pusher clients hold no credential of their own: channel signatures are their proof. */
const PUSHER_CLIENT: RealtimeIdentity = { kind: 'endUser', userId: null, accountId: null, scopes: null, channelGlobs: [], userInfo: null };

interface Refusal {
  code: number;
  message: string;
}

const OVER_QUOTA: Refusal = { code: 4004, message: 'Application is over connection quota' };

/** Protocol 7 only; pusher-js always sends it. */
function protocolRefusal(protocol: string | null): Refusal | null {
  if (protocol === null) return { code: 4008, message: 'No protocol version supplied' };
  if (!/^\d+$/.test(protocol)) return { code: 4006, message: 'Invalid version string format' };
  const version = Number(protocol);
  if (version < 5 || version > 7) return { code: 4007, message: `Unsupported protocol version ${version}` };
  return null;
}

/**
 * The Pusher dialect's WebSocket side at `/app/:key`: the handshake (4001 unknown key, 4003 disabled,
 * 4004 over quota, 4006-4008 protocol; an error frame, then the close) and the services a
 * PusherSession calls. The hub decides delivery; SubscriptionService decides who may subscribe.
 */
@Injectable()
export class PusherWs implements OnModuleInit, PusherSessionHost {
  private readonly logger = new Logger('PusherWs');
  private readonly dialect: number;
  readonly maxFrameBytes: number;
  readonly maxMessagesPerSecond: number;
  /** The messages-in counter's child for this dialect (labels resolved once). */
  private readonly messagesIn: { inc(): void };
  /** The hub connection of each attached socket, for the shutdown notice (sayReconnect gets the socket). */
  private readonly attached = new WeakMap<WebSocket, HubConnection>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly gateway: WebSocketGateway,
    private readonly hub: RealtimeHub,
    private readonly contexts: TenantContextService,
    private readonly subscriptions: SubscriptionService,
    private readonly cache: ChannelCacheService,
    private readonly counts: PusherSubscriptionCounts,
    private readonly metrics: RealtimeMetrics,
  ) {
    this.dialect = hub.registerDialect(new PusherDialect());
    this.maxFrameBytes = config.realtime.maxFrameBytes;
    this.maxMessagesPerSecond = config.realtime.maxMessagesPerSecond;
    this.messagesIn = metrics.messagesIn.labels('pusher');
  }

  onModuleInit(): void {
    this.gateway.addRoute('/app/:key', (ctx) => this.onUpgrade(ctx));
  }

  /**
   * The handshake, without a promise on the common path: the tenant from the cache, the slot from
   * in-process cluster state, the hub attach with the tenant's bus subscription already active. Then
   * `101` and `connection_established` leave in one write (WebSocketGateway.accept).
   */
  private onUpgrade(ctx: UpgradeContext): void | Promise<void> {
    const refusal = protocolRefusal(ctx.url.searchParams.get('protocol'));
    if (refusal) return this.open(ctx, null, refusal);
    let tenant: ReturnType<TenantContextService['byKeyNow']>;
    try {
      tenant = this.contexts.byKeyNow(ctx.params.key);
    } catch (e) {
      return this.open(ctx, null, this.overCapacity(e));
    }
    if (tenant instanceof Promise) {
      return tenant.then(
        (t) => this.admit(ctx, t),
        (e: unknown) => this.open(ctx, null, this.overCapacity(e)),
      );
    }
    return this.admit(ctx, tenant);
  }

  private admit(ctx: UpgradeContext, tenant: TenantContext | null): void | Promise<void> {
    if (!tenant) return this.open(ctx, null, { code: 4001, message: `App key ${ctx.params.key.slice(0, 64)} does not exist` });
    if (!tenant.enabled) return this.open(ctx, null, { code: 4003, message: 'Application is disabled' });
    let admitted: boolean | Promise<boolean>;
    try {
      admitted = this.hub.admit(tenant.id, tenant.limits.maxConnections);
    } catch (e) {
      return this.open(ctx, null, this.overCapacity(e));
    }
    if (typeof admitted === 'boolean') return this.open(ctx, admitted ? tenant : null, admitted ? null : OVER_QUOTA);
    return admitted.then(
      (ok) => this.open(ctx, ok ? tenant : null, ok ? null : OVER_QUOTA),
      (e: unknown) => this.open(ctx, null, this.overCapacity(e)),
    );
  }

  private overCapacity(e: unknown): Refusal {
    this.logger.warn(`Pusher handshake failed: ${(e as Error)?.message ?? String(e)}`);
    return { code: 4100, message: 'Over capacity: try again' };
  }

  /** Upgrades; an admitted `tenant` (its slot taken) is attached, a refusal answered and closed. */
  private open(ctx: UpgradeContext, tenant: TenantContext | null, refusal: Refusal | null): void {
    const accepted = this.gateway.accept(
      ctx,
      (ws) => {
        if (refusal || !tenant) {
          ws.send(pusherFrames.error(refusal?.message ?? 'Over capacity: try again', refusal?.code ?? 4100));
          ws.close(refusal?.code ?? 4100, refusal?.message ?? 'Over capacity');
          return;
        }
        this.attach(ws, ctx, tenant);
      },
      this.sayReconnect,
    );
    if (!accepted && tenant && !refusal) this.hub.releaseAdmission(tenant.id);
  }

  private attach(ws: WebSocket, ctx: UpgradeContext, tenant: TenantContext): void {
    const c = new HubConnection(this.hub.newSocketId(), this.dialect, ws, ctx.socket as HubConnection['socket']);
    c.tenant = tenant;
    c.identity = PUSHER_CLIENT;
    this.attached.set(ws, c);
    const session = new PusherSession(this, c, { key: tenant.key, secret: tenant.secret, clientEventsEnabled: tenant.settings.clientEventsEnabled === true });
    ws.on('message', (data, isBinary) => session.onMessage(data, isBinary));
    ws.once('close', () => {
      const channels = [...c.channels.keys()];
      this.hub.detach(c);
      for (const channel of channels) this.counts.changed(c, channel);
    });
    let attached: void | Promise<void>;
    try {
      attached = this.hub.attach(c);
    } catch (e) {
      return this.attachFailed(c, e);
    }
    if (attached) {
      attached.then(
        () => this.established(c),
        (e: unknown) => this.attachFailed(c, e),
      );
    } else this.established(c);
  }

  private established(c: HubConnection): void {
    if (c.closed) return this.hub.detach(c);
    this.send(c, pusherFrames.connectionEstablished(c.id, ACTIVITY_TIMEOUT_SECONDS));
  }

  private attachFailed(c: HubConnection, e: unknown): void {
    this.logger.warn(`Attaching connection ${c.id} failed: ${(e as Error)?.message ?? String(e)}`);
    c.ws.send(pusherFrames.error('Could not set up the connection', 4100));
    c.ws.close(4100, 'Over capacity');
  }

  send(conn: HubConnection, text: string): void {
    this.hub.sendText(conn, text);
  }

  /** Throws what the client did wrong; a promise only when something had to be waited for. */
  subscribe(conn: HubConnection, channel: string, auth: unknown, channelData: unknown): PresenceMember[] | null | Promise<PresenceMember[] | null> {
    if (channel.startsWith('presence-')) {
      return this.assertRoomInPresence(conn, channel, channelData).then(async () => (await this.subscriptions.subscribe(conn, channel, { auth, channelData })).members);
    }
    const outcome = this.subscriptions.subscribe(conn, channel, { auth, channelData });
    return outcome instanceof Promise ? outcome.then((o) => o.members) : outcome.members;
  }

  afterSubscribe(conn: HubConnection, channel: string): void | Promise<void> {
    this.counts.changed(conn, channel);
    if (isCacheChannel(channel)) return this.sendCached(conn, channel);
  }

  private async sendCached(conn: HubConnection, channel: string): Promise<void> {
    const cached = await this.cache.get(conn.tenantId!, channel);
    if (cached) return this.send(conn, `{"event":${JSON.stringify(cached.event)},"channel":${JSON.stringify(channel)},"data":${cached.dataJson}}`);
    this.send(conn, pusherFrames.cacheMiss(channel));
    this.hub.report(conn.tenantId!, { name: 'cache_miss', channel });
  }

  unsubscribe(conn: HubConnection, channel: string): void {
    try {
      if (this.subscriptions.unsubscribe(conn, channel)) this.counts.changed(conn, channel);
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      // An invalid name was never subscribed: nothing to undo, and Pusher does not answer unsubscribes.
    }
  }

  clientEvent(conn: HubConnection, channel: string, event: string, data: unknown, userId: string): void {
    this.hub.publish(conn.tenantId!, channel, { name: event, dataJson: JSON.stringify(data ?? null), excludeSocketId: conn.id, userId });
    const text = typeof data === 'string' ? data : JSON.stringify(data ?? null);
    this.hub.report(conn.tenantId!, { name: 'client_event', channel, event, data: text, socketId: conn.id, userId: userId || undefined });
  }

  /** Binds the user (server-to-user, terminate), marks them online, watches the watchlist; returns each watched user's online members. */
  async signin(conn: HubConnection, userId: string, watchlist: string[]): Promise<PresenceMember[][]> {
    await this.hub.bindUser(conn, userId);
    await this.hub.subscribe(conn, onlineChannel(userId), { userId, userInfo: null });
    await Promise.all(watchlist.map((w) => this.hub.subscribe(conn, onlineChannel(w), null)));
    return Promise.all(watchlist.map((w) => this.hub.clusterMembers(conn.tenantId!, onlineChannel(w))));
  }

  countMessageIn(): void {
    this.messagesIn.inc();
  }

  /** Presence channels hold at most maxPresenceMembers users (a user already present may open more connections). */
  private async assertRoomInPresence(conn: HubConnection, channel: string, channelData: unknown): Promise<void> {
    const limit = conn.tenant!.limits.maxPresenceMembers;
    const members = await this.hub.clusterMembers(conn.tenantId!, channel);
    if (members.length < limit) return;
    let userId: string | undefined;
    try {
      userId = String((JSON.parse(String(channelData)) as { user_id: unknown }).user_id);
    } catch {
      userId = undefined;
    }
    if (!members.some((m) => m.userId === userId)) {
      throw new DomainError('QUOTA_EXCEEDED', `Presence channel is full: at most ${limit} members`);
    }
  }

  /** Shutdown: 4200 makes pusher-js reconnect at once (to another instance behind the balancer). */
  private readonly sayReconnect = (ws: WebSocket): void => {
    if (ws.readyState !== WebSocket.OPEN) return;
    // Frames the coalescer still holds for it go first: ws writes the notice and the close at once.
    const conn = this.attached.get(ws);
    if (conn) this.hub.flushConnection(conn);
    ws.send(pusherFrames.error('Server is shutting down; reconnect', 4200));
    ws.close(4200, 'Server shutting down');
  };
}
