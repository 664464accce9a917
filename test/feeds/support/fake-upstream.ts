import { readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';

export type FixtureName = 'coinbase-ticker' | 'binance-ticker' | 'kraken-trade' | 'ris-live';

/** The upstream frames of a fixture (copied from ../shared/fixtures/feeds), one per line. */
export function fixtureLines(name: FixtureName): string[] {
  return readFileSync(join(__dirname, '..', 'fixtures', `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0);
}

/** The subscribe message each provider expects (fixtures README). */
export const SUBSCRIBE: Record<FixtureName, string> = {
  'coinbase-ticker': '{"type":"subscribe","product_ids":["BTC-USD","ETH-USD"],"channels":["ticker"]}',
  'binance-ticker': '{"method":"SUBSCRIBE","params":["btcusdt@ticker","ethusdt@ticker"],"id":1}',
  'kraken-trade': '{"event":"subscribe","pair":["XBT/USD","ETH/USD"],"subscription":{"name":"trade"}}',
  'ris-live': '{"type":"ris_subscribe","data":{"origin":"2856"}}',
};

export interface FakeUpstreamOptions {
  /** Frames sent, in order and looping, to each connection. */
  frames: string[];
  /** Start sending after the connection's first message (a subscription) or at once. */
  startOn?: 'message' | 'connect';
  intervalMs?: number;
  /** Refuse every handshake with HTTP 503 (for backoff). */
  refuse?: boolean;
  /** Send the frames once, then nothing (for the silence timeout). */
  once?: boolean;
}

export interface UpstreamConnection {
  socket: WebSocket;
  openedAt: number;
  closedAt: number | null;
  /** What the client sent on this connection, in order. */
  received: string[];
}

/**
 * A real WebSocket server on loopback speaking a provider's format: it waits for the subscription
 * message, then replays the fixture frames in a loop. It records every connection attempt and what
 * each connection sent.
 */
export class FakeUpstream {
  readonly connections: UpstreamConnection[] = [];
  readonly attempts: number[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(options: FakeUpstreamOptions): Promise<FakeUpstream> {
    const server = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      verifyClient: (_info, done) => {
        upstream.attempts.push(Date.now());
        if (options.refuse) done(false, 503, 'Unavailable');
        else done(true);
      },
    });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const upstream: FakeUpstream = new FakeUpstream(server, `ws://127.0.0.1:${port}/stream`);
    server.on('connection', (socket) => upstream.onConnection(socket, options));
    return upstream;
  }

  get open(): UpstreamConnection[] {
    return this.connections.filter((c) => c.closedAt === null);
  }

  /** Drops every connection the way a failing upstream does (no close handshake). */
  dropAll(): void {
    for (const c of this.open) c.socket.terminate();
  }

  /** Sends a frame on every open connection now. */
  sendToAll(data: string | Buffer): void {
    for (const c of this.open) c.socket.send(data);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const c of this.connections) c.socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(socket: WebSocket, options: FakeUpstreamOptions): void {
    const conn: UpstreamConnection = { socket, openedAt: Date.now(), closedAt: null, received: [] };
    this.connections.push(conn);
    let timer: NodeJS.Timeout | null = null;
    const begin = () => {
      if (timer || options.frames.length === 0) return;
      let i = 0;
      timer = setInterval(() => {
        if (socket.readyState !== WebSocket.OPEN) return;
        if (options.once && i >= options.frames.length) return;
        socket.send(options.frames[i++ % options.frames.length]);
      }, options.intervalMs ?? 20);
      this.timers.add(timer);
    };
    socket.on('message', (data) => {
      conn.received.push(data.toString());
      if ((options.startOn ?? 'message') === 'message') begin();
    });
    socket.on('close', () => {
      conn.closedAt = Date.now();
      if (timer) {
        clearInterval(timer);
        this.timers.delete(timer);
      }
    });
    socket.on('error', () => undefined);
    if (options.startOn === 'connect') begin();
  }
}
