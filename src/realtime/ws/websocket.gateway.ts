import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { WebSocket, WebSocketServer } from 'ws';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { CLOSE_CODES } from './close-codes';
import { UpgradeRouter } from './upgrade-router';

/** An upgrade request routed to a dialect, not yet accepted. */
export interface UpgradeContext {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  url: URL;
  params: Record<string, string>;
}

/** Returns a promise only when it had to wait (e.g. a tenant lookup that missed the cache). */
export type UpgradeHandler = (ctx: UpgradeContext) => void | Promise<void>;

interface Client {
  alive: boolean;
  /** The dialect's last words before a shutdown close (e.g. "reconnect"). */
  onShutdown?: (ws: WebSocket) => void;
}

const ignore = (): void => undefined;

const STATUS_TEXT: Record<number, string> = { 404: 'Not Found', 503: 'Service Unavailable' };

/**
 * The one `ws` server, without a server of its own: it takes the HTTP server's `upgrade` events and
 * routes them by path pattern to the dialects (Nest's WsAdapter only routes exact paths, and parses
 * frames its own way). Unknown paths get a 404 and the socket is destroyed. It also pings every
 * connection each WS_PING_INTERVAL_MS and terminates those that did not answer the previous ping,
 * and on shutdown tells everyone to reconnect and closes them.
 */
@Injectable()
export class WebSocketGateway implements OnApplicationBootstrap {
  private readonly logger = new Logger('WebSocketGateway');
  private readonly router = new UpgradeRouter<UpgradeHandler>();
  private readonly wss: WebSocketServer;
  private readonly clients = new Map<WebSocket, Client>();
  private server: Server | undefined;
  private accepting = true;
  private pingTimer: NodeJS.Timeout | undefined;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => this.route(req, socket, head);
  /** Shared listeners (`this` is the socket): no closures per connection. */
  private readonly markAlive: (this: WebSocket) => void;
  private readonly forget: (this: WebSocket) => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      // Off: the hub writes pre-built uncompressed frames straight to the socket (write-coalescer.ts).
      perMessageDeflate: false,
      // Messages over WS_MAX_FRAME_BYTES are answered and dropped by the dialect; this hard cap
      // (4x) bounds what is buffered at all, and closes with 1009.
      maxPayload: config.realtime.maxFrameBytes * 4,
    });
    const clients = this.clients;
    this.markAlive = function (this: WebSocket) {
      const client = clients.get(this);
      if (client) client.alive = true;
    };
    this.forget = function (this: WebSocket) {
      clients.delete(this);
    };
  }

  /** Dialects register their paths here (in their onModuleInit). */
  addRoute(pattern: string, handler: UpgradeHandler): void {
    this.router.add(pattern, handler);
  }

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter.getHttpServer() as Server;
    this.server.on('upgrade', this.onUpgrade);
    this.pingTimer = setInterval(() => this.pingAll(), this.config.realtime.pingIntervalMs);
    this.pingTimer.unref();
  }

  /**
   * Completes the upgrade and calls `onOpen` with the socket at once (ws completes a handshake
   * synchronously when, as here, there is no verifyClient and no compression). The raw socket is
   * corked around it, so the `101` response and whatever `onOpen` writes synchronously (the
   * dialect's greeting, through the write coalescer) leave in one write. False, without `onOpen`,
   * when the client went away (or sent an invalid handshake, which ws answers with a 400 itself).
   * `onShutdown` is the dialect's last word to the socket when the server drains.
   */
  accept(ctx: UpgradeContext, onOpen: (ws: WebSocket) => void, onShutdown?: (ws: WebSocket) => void): boolean {
    const socket = ctx.socket;
    if (socket.destroyed || !socket.writable || !this.accepting) {
      socket.destroy();
      return false;
    }
    let opened: WebSocket | null = null;
    socket.cork();
    try {
      this.wss.handleUpgrade(ctx.req, socket, ctx.head, (ws) => {
        opened = ws;
        this.clients.set(ws, { alive: true, onShutdown });
        ws.on('pong', this.markAlive);
        ws.on('message', this.markAlive);
        ws.on('error', ignore); // ws closes the socket itself; the 'close' handlers clean up
        ws.on('close', this.forget);
        onOpen(ws);
      });
    } finally {
      socket.uncork();
    }
    return opened !== null;
  }

  /** accept() for a dialect that writes nothing in the same turn: the socket, or null. */
  acceptSocket(ctx: UpgradeContext, onShutdown?: (ws: WebSocket) => void): WebSocket | null {
    let opened: WebSocket | null = null;
    this.accept(ctx, (ws) => (opened = ws), onShutdown);
    return opened;
  }

  get connectionCount(): number {
    return this.clients.size;
  }

  /** Shutdown: refuse new upgrades, tell every client to reconnect, close them; bounded by `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    this.accepting = false;
    if (this.pingTimer) clearInterval(this.pingTimer);
    const open = [...this.clients.keys()];
    if (open.length === 0) return;
    const closed = Promise.all(open.map((ws) => new Promise((r) => (ws.readyState === WebSocket.CLOSED ? r(null) : ws.once('close', r)))));
    for (const ws of open) {
      try {
        this.clients.get(ws)?.onShutdown?.(ws);
        ws.close(CLOSE_CODES.SERVICE_RESTART, 'Server restarting');
      } catch {
        ws.terminate();
      }
    }
    await Promise.race([closed, delay(timeoutMs)]);
    for (const ws of this.clients.keys()) ws.terminate();
    await Promise.race([closed, delay(500)]);
  }

  /** Crash semantics: stop pinging and accepting, drop every socket without a word. */
  abandon(): void {
    this.accepting = false;
    if (this.pingTimer) clearInterval(this.pingTimer);
    for (const ws of this.clients.keys()) ws.terminate();
  }

  detach(): void {
    this.server?.removeListener('upgrade', this.onUpgrade);
  }

  private route(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', ignore); // a reset during the handshake must not crash the process
    if (!this.accepting) return reject(socket, 503);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return reject(socket, 404);
    }
    const match = this.router.match(url.pathname);
    if (!match) return reject(socket, 404);
    const failed = (e: unknown) => {
      this.logger.error({ err: e }, `WebSocket handshake on ${url.pathname} failed`);
      socket.destroy();
    };
    try {
      match.handler({ req, socket, head, url, params: match.params })?.catch(failed);
    } catch (e) {
      failed(e);
    }
  }

  private pingAll(): void {
    for (const [ws, client] of this.clients) {
      if (!client.alive) {
        ws.terminate();
        continue;
      }
      client.alive = false;
      ws.ping();
    }
  }
}

function reject(socket: Duplex, status: number): void {
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
