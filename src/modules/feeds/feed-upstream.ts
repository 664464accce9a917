import WebSocket, { RawData } from 'ws';
import { rawBuffer } from '../../realtime/ws/raw-text';
import { backoffDelay } from './feed-backoff';
import type { UpstreamState } from './feed-state.store';
import { guardedLookup, isRefusedLiteralHost } from './feed-url-policy';

export interface UpstreamOptions {
  url: string;
  connectionMessages: readonly string[];
  reconnectionEnabled: boolean;
  baseDelayMs: number;
  maxDelayMs: number;
  silenceTimeoutMs: number;
  connectTimeoutMs: number;
  maxFrameBytes: number;
  allowPrivateHosts: boolean;
}

export interface UpstreamEvents {
  /** A frame within the size limit, as text (binary frames are decoded as UTF-8), with its arrival time (ms). */
  onMessage(text: string, bytes: number, receivedAt: number): void;
  onOversized(bytes: number): void;
  onState(state: UpstreamState, detail: { error?: string; connectedAt?: number | null }): void;
  /** A new connection attempt after a drop or failure. */
  onReconnect(): void;
}

/** Frames above this many times FEED_MAX_FRAME_BYTES make `ws` close the connection instead of buffering them. */
const HARD_FRAME_FACTOR = 4;

/**
 * One upstream WebSocket connection kept open: sends the connection messages in order on every
 * (re)connect, reconnects with exponential backoff and jitter (when reconnection is enabled), treats
 * a connection that has been silent for FEED_SILENCE_TIMEOUT_MS as dead, and refuses private
 * addresses at connect time unless allowed.
 */
export class FeedUpstream {
  private ws: WebSocket | null = null;
  private stopped = false;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private silenceTimer: NodeJS.Timeout | null = null;
  private lastFrameAt = 0;

  constructor(
    private readonly options: UpstreamOptions,
    private readonly events: UpstreamEvents,
  ) {}

  start(): void {
    this.connect();
  }

  /** Closes the connection and stops reconnecting. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
    }
  }

  private connect(): void {
    if (this.stopped) return;
    this.events.onState('connecting', {});
    const o = this.options;
    let url: URL;
    try {
      url = new URL(o.url);
    } catch {
      return this.failed('Invalid url');
    }
    if (isRefusedLiteralHost(url, o.allowPrivateHosts)) return this.failed('url host is a private, loopback or link-local address');
    const ws = new WebSocket(o.url, {
      handshakeTimeout: o.connectTimeoutMs,
      maxPayload: o.maxFrameBytes * HARD_FRAME_FACTOR,
      followRedirects: false,
      ...(o.allowPrivateHosts ? {} : { lookup: guardedLookup }),
    });
    this.ws = ws;
    let error: string | undefined;
    ws.on('open', () => {
      this.lastFrameAt = Date.now();
      this.events.onState('connected', { connectedAt: Date.now() });
      for (const message of o.connectionMessages) ws.send(message);
      this.armSilenceCheck();
    });
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('unexpected-response', (_req, res) => {
      error = `Upstream answered the handshake with HTTP ${res.statusCode}`;
      ws.terminate();
    });
    ws.on('error', (e) => {
      error ??= e.message;
    });
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.clearTimers();
      this.failed(error ?? `Upstream closed the connection (${code})`);
    });
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    const now = Date.now();
    this.lastFrameAt = now;
    // A frame came through: the connection works, so the next drop starts the backoff afresh.
    this.attempt = 0;
    const buf = rawBuffer(data);
    if (buf.length > this.options.maxFrameBytes) return this.events.onOversized(buf.length);
    void isBinary;
    this.events.onMessage(buf.toString('utf8'), buf.length, now);
  }

  private failed(reason: string): void {
    if (this.stopped) return;
    if (!this.options.reconnectionEnabled) {
      this.events.onState('stopped', { error: reason, connectedAt: null });
      return;
    }
    this.events.onState('backing_off', { error: reason, connectedAt: null });
    const delay = backoffDelay(this.attempt++, this.options.baseDelayMs, this.options.maxDelayMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.events.onReconnect();
      this.connect();
    }, delay);
  }

  /** One periodic check instead of a timer reset per frame. */
  private armSilenceCheck(): void {
    const limit = this.options.silenceTimeoutMs;
    this.silenceTimer = setInterval(
      () => {
        if (Date.now() - this.lastFrameAt <= limit) return;
        const ws = this.ws;
        if (!ws) return;
        this.ws = null;
        this.clearTimers();
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        this.failed(`No data from the upstream for ${limit} ms`);
      },
      Math.max(25, Math.floor(limit / 4)),
    );
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.silenceTimer) clearInterval(this.silenceTimer);
    this.retryTimer = null;
    this.silenceTimer = null;
  }
}
