import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { DomainError } from '../../../common/domain-error';
import { AppConfig } from '../../../config/app-config';
import { APP_CONFIG } from '../../../config/config.token';
import { CredentialService } from '../../../modules/auth/credential.service';
import type { Principal } from '../../../modules/auth/principal';
import { identityOf } from '../../access/realtime-identity';
import { HubConnection } from '../../hub/hub-connection';
import { RealtimeHub } from '../../hub/realtime-hub.service';
import { RealtimeMetrics } from '../../metrics/realtime-metrics.service';
import { PublishService } from '../../publish.service';
import { SubscriptionService } from '../../subscription.service';
import type { TenantContext } from '../../tenants/tenant-context';
import { TenantContextService } from '../../tenants/tenant-context.service';
import { CLOSE_CODES } from '../close-codes';
import { UpgradeContext, WebSocketGateway } from '../websocket.gateway';
import { NativeDialect } from './native.dialect';
import { errorMessage } from './native-error-code';
import { nativeFrames } from './native-frames';
import { NativeMessageHandler, NativeMessageRegistry } from './native-message.registry';
import { NativeSession, NativeSessionHost } from './native-session';

interface Admitted {
  principal: Principal;
  tenant: TenantContext | null;
}

/**
 * The native WebSocket dialect:
 * - `/ws/:tenantKey?jwt=` — a tenant end user (JWT signed with the tenant's jwtSecret, `sub` = user id);
 * - `/ws?token=` — an account JWT or an API key, acting on the key's tenant or on `?tenant=`;
 * - `/ws` — the same, authenticated by a first `authenticate` message within WS_AUTH_TIMEOUT_MS.
 * A refused handshake still completes the upgrade so that the client can read why: one error frame,
 * then a close with a code of close-codes.ts. It translates frames to hub calls and holds no rules.
 */
@Injectable()
export class NativeWs implements OnModuleInit, NativeSessionHost {
  private readonly logger = new Logger('NativeWs');
  private readonly dialect: number;
  readonly maxFrameBytes: number;
  readonly maxMessagesPerSecond: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly gateway: WebSocketGateway,
    private readonly hub: RealtimeHub,
    private readonly credentials: CredentialService,
    private readonly tenantContexts: TenantContextService,
    private readonly subscriptions: SubscriptionService,
    private readonly publisher: PublishService,
    private readonly metrics: RealtimeMetrics,
    private readonly messages: NativeMessageRegistry,
  ) {
    this.dialect = hub.registerDialect(new NativeDialect());
    this.maxFrameBytes = config.realtime.maxFrameBytes;
    this.maxMessagesPerSecond = config.realtime.maxMessagesPerSecond;
  }

  handler(type: unknown): NativeMessageHandler | undefined {
    return this.messages.get(type);
  }

  onModuleInit(): void {
    this.gateway.addRoute('/ws/:tenantKey', (ctx) => this.onEndUserUpgrade(ctx));
    this.gateway.addRoute('/ws', (ctx) => this.onAccountUpgrade(ctx));
  }

  private async onEndUserUpgrade(ctx: UpgradeContext): Promise<void> {
    const jwt = ctx.url.searchParams.get('jwt');
    if (!jwt) return this.refuse(ctx, new DomainError('AUTHENTICATION_ERROR', 'Missing jwt query parameter'));
    await this.openAuthenticated(ctx, () => this.credentials.endUser(ctx.params.tenantKey, jwt), undefined);
  }

  private async onAccountUpgrade(ctx: UpgradeContext): Promise<void> {
    const token = ctx.url.searchParams.get('token');
    const tenantRef = ctx.url.searchParams.get('tenant') ?? undefined;
    if (token) return this.openAuthenticated(ctx, () => this.credentials.fromToken(token), tenantRef);
    await this.openPendingAuthentication(ctx, tenantRef);
  }

  /** Credential in the URL: authenticate, resolve the tenant, take a slot, then upgrade. */
  private async openAuthenticated(ctx: UpgradeContext, authenticate: () => Promise<Principal>, tenantRef: string | undefined): Promise<void> {
    let admitted: Admitted;
    try {
      admitted = await this.admit(await authenticate(), tenantRef);
    } catch (e) {
      return this.refuse(ctx, e);
    }
    const ws = this.gateway.acceptSocket(ctx, () => this.sayReconnect(conn));
    const conn = ws && this.connection(ws, ctx);
    if (!conn) {
      if (admitted.tenant) this.hub.releaseAdmission(admitted.tenant.id);
      return;
    }
    const session = this.startSession(conn, true);
    await this.bind(session, admitted, () => nativeFrames.connected(this.describe(conn, admitted.principal)));
  }

  /** No credential in the URL: upgrade now, wait for `authenticate`. */
  private async openPendingAuthentication(ctx: UpgradeContext, tenantRef: string | undefined): Promise<void> {
    const ws = this.gateway.acceptSocket(ctx, () => this.sayReconnect(conn));
    const conn = ws && this.connection(ws, ctx);
    if (!conn) return;
    const session = this.startSession(conn, false);
    session.tenantRef = tenantRef;
    const timer = setTimeout(() => {
      if (session.authenticated || conn.closed) return;
      session.reply(nativeFrames.error('unauthorized', 'Authentication timeout'));
      this.close(conn, CLOSE_CODES.AUTH_TIMEOUT, 'Authentication timeout');
    }, this.config.realtime.authTimeoutMs);
    timer.unref();
    conn.ws.once('close', () => clearTimeout(timer));
  }

  /** NativeSessionHost: seed 003's `authenticate` message. Failures leave the connection open to retry. */
  async authenticate(session: NativeSession, payload: Record<string, unknown>): Promise<void> {
    const credential = payload.apiKey ?? payload.token;
    if (typeof credential !== 'string' || credential.length === 0) return session.reply(nativeFrames.authError('apiKey required'));
    const tenantRef = typeof payload.tenant === 'string' ? payload.tenant : session.tenantRef;
    let admitted: Admitted;
    try {
      admitted = await this.admit(await this.credentials.fromToken(credential), tenantRef);
    } catch (e) {
      session.reply(nativeFrames.authError(errorMessage(e)));
      if (e instanceof DomainError && e.code === 'QUOTA_EXCEEDED') this.close(session.conn, CLOSE_CODES.OVER_QUOTA, 'Over quota');
      return;
    }
    if (session.conn.closed) {
      if (admitted.tenant) this.hub.releaseAdmission(admitted.tenant.id);
      return;
    }
    session.authenticated = true;
    await this.bind(session, admitted, () => nativeFrames.authenticated(this.describe(session.conn, admitted.principal)));
  }

  async subscribe(conn: HubConnection, data: Record<string, unknown>): Promise<void> {
    const outcome = await this.subscriptions.subscribe(conn, data.channel, { auth: data.auth, channelData: data.channelData ?? data.channel_data });
    if (conn.channels.has(outcome.channel)) this.send(conn, nativeFrames.subscribed(outcome.channel, outcome.members));
  }

  unsubscribe(conn: HubConnection, data: Record<string, unknown>): void {
    this.subscriptions.unsubscribe(conn, data.channel);
    this.send(conn, nativeFrames.unsubscribed(data.channel as string));
  }

  broadcast(conn: HubConnection, message: Record<string, unknown>): void {
    const payload = message.payload;
    if (payload === undefined || payload === null || payload === '') {
      return this.send(conn, nativeFrames.error('invalid_request', 'Payload required'));
    }
    if (!conn.tenant || !conn.identity) {
      return this.send(conn, nativeFrames.error('invalid_request', 'This connection is not bound to a tenant'));
    }
    this.publisher.broadcast(conn.tenant, conn.identity, payload);
  }

  send(conn: HubConnection, text: string): void {
    this.hub.sendText(conn, text);
  }

  countMessageIn(): void {
    this.metrics.messagesIn.inc({ dialect: 'native' });
  }

  countRateLimited(): void {
    this.metrics.rateLimited.inc();
  }

  /** The tenant to act on and one of its connection slots. */
  private async admit(principal: Principal, tenantRef: string | undefined): Promise<Admitted> {
    const tenant = await this.tenantContexts.forPrincipal(principal, tenantRef);
    if (tenant && !(await this.hub.admit(tenant.id, tenant.limits.maxConnections))) {
      throw new DomainError('QUOTA_EXCEEDED', `Connection limit reached: this tenant allows ${tenant.limits.maxConnections} connections`);
    }
    return { principal, tenant };
  }

  /** Attaches an admitted connection to the hub, then greets it. */
  private async bind(session: NativeSession, admitted: Admitted, greeting: () => string): Promise<void> {
    const conn = session.conn;
    conn.identity = identityOf(admitted.principal);
    conn.tenant = admitted.tenant;
    try {
      await this.hub.attach(conn);
      // End users receive what is addressed to them (notifications) on every connection they hold.
      if (conn.identity.userId !== null && conn.tenant) await this.hub.bindUser(conn, conn.identity.userId);
    } catch (e) {
      this.logger.warn(`Attaching connection ${conn.id} failed: ${(e as Error).message}`);
      this.send(conn, nativeFrames.error('internal_error', 'Could not set up the connection; reconnect'));
      this.close(conn, CLOSE_CODES.INTERNAL_ERROR, 'Internal error');
      return;
    }
    if (conn.closed) return this.hub.detach(conn);
    this.send(conn, greeting());
  }

  private connection(ws: WebSocket, ctx: UpgradeContext): HubConnection {
    return new HubConnection(this.hub.newSocketId(), this.dialect, ws, ctx.socket as HubConnection['socket']);
  }

  private startSession(conn: HubConnection, authenticated: boolean): NativeSession {
    const session = new NativeSession(this, conn, authenticated);
    session.onUnexpected = (e) => this.logger.error({ err: e }, `Unexpected error on connection ${conn.id}`);
    conn.ws.on('message', (data, isBinary) => session.onMessage(data, isBinary));
    conn.ws.once('close', () => this.hub.detach(conn));
    return session;
  }

  /** A refused handshake: upgrade anyway so the client can read the reason, then close. */
  private async refuse(ctx: UpgradeContext, e: unknown): Promise<void> {
    const ws = this.gateway.acceptSocket(ctx);
    if (!ws) return;
    const code = e instanceof DomainError ? e.code : 'INTERNAL_ERROR';
    if (code === 'INTERNAL_ERROR' || !(e instanceof DomainError)) this.logger.error({ err: e }, 'WebSocket handshake failed');
    const close = {
      AUTHENTICATION_ERROR: CLOSE_CODES.AUTH_FAILED,
      NOT_FOUND: CLOSE_CODES.AUTH_FAILED,
      AUTHORIZATION_ERROR: CLOSE_CODES.FORBIDDEN,
      QUOTA_EXCEEDED: CLOSE_CODES.OVER_QUOTA,
    }[code as string] ?? CLOSE_CODES.INTERNAL_ERROR;
    const wsCode = close === CLOSE_CODES.OVER_QUOTA ? 'over_quota' : close === CLOSE_CODES.INTERNAL_ERROR ? 'internal_error' : 'unauthorized';
    ws.send(nativeFrames.error(wsCode, errorMessage(e)));
    ws.close(close, errorMessage(e).slice(0, 120));
  }

  /** The gateway closes the socket right after this, so the notice is written at once. */
  private sayReconnect(conn: HubConnection | null): void {
    if (!conn) return;
    this.send(conn, nativeFrames.reconnect());
    this.hub.flushConnection(conn);
  }

  /** Closes after whatever was sent to the connection (the coalescer holds frames until the turn ends). */
  private close(conn: HubConnection, code: number, reason: string): void {
    this.hub.flushConnection(conn);
    conn.ws.close(code, reason);
  }

  private describe(conn: HubConnection, p: Principal) {
    return {
      socketId: conn.id,
      authType: p.kind === 'apiKey' ? 'apikey' : p.kind === 'endUser' ? 'enduser' : 'jwt',
      userId: p.kind === 'endUser' ? p.userId : p.accountId,
      tenantId: conn.tenantId,
    };
  }
}
