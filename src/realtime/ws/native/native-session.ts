import type { RawData } from 'ws';
import { DomainError } from '../../../common/domain-error';
import type { HubConnection } from '../../hub/hub-connection';
import { InboundRateLimiter } from '../inbound-rate-limiter';
import { rawText } from '../raw-text';
import type { NativeMessageHandler } from './native-message.registry';
import { errorMessage, nativeErrorCode } from './native-error-code';
import { nativeFrames } from './native-frames';

/** What a session needs from the services; NativeWs provides it. */
export interface NativeSessionHost {
  readonly maxFrameBytes: number;
  readonly maxMessagesPerSecond: number;
  send(conn: HubConnection, text: string): void;
  countMessageIn(): void;
  countRateLimited(): void;
  /** The `authenticate` message of a connection opened without a token. */
  authenticate(session: NativeSession, payload: Record<string, unknown>): Promise<void>;
  subscribe(conn: HubConnection, data: Record<string, unknown>): Promise<void>;
  unsubscribe(conn: HubConnection, data: Record<string, unknown>): void;
  broadcast(conn: HubConnection, message: Record<string, unknown>): void;
  /** A handler a feature module registered for this message type, if any. */
  handler(type: unknown): NativeMessageHandler | undefined;
}

type Message = Record<string, unknown>;

/**
 * One native connection's inbound side: limits, parsing, dispatch. Messages are handled in arrival
 * order; while one awaits (subscribe, authenticate) the next ones wait in a queue, which the rate
 * limit keeps short. A bad message gets an error frame and changes nothing; the connection stays.
 */
export class NativeSession {
  authenticated: boolean;
  /** `?tenant=` of a connection that authenticates by message. */
  tenantRef: string | undefined;
  private readonly limiter: InboundRateLimiter;
  private readonly queue: RawData[] = [];
  private busy = false;
  /** The handlers' `reply`, made once per connection (a closure per message would also be named, by defineProperty, in the bundle). */
  private readonly replyToConn = (text: string): void => this.reply(text);

  constructor(
    private readonly host: NativeSessionHost,
    readonly conn: HubConnection,
    authenticated: boolean,
  ) {
    this.authenticated = authenticated;
    this.limiter = new InboundRateLimiter(host.maxMessagesPerSecond);
  }

  onMessage(data: RawData, isBinary: boolean): void {
    this.host.countMessageIn();
    if (!this.limiter.allow(Date.now())) {
      this.host.countRateLimited();
      if (this.limiter.shouldWarn()) {
        this.reply(nativeFrames.error('rate_limited', `Too many messages: at most ${this.host.maxMessagesPerSecond} per second; extra messages are dropped`));
      }
      return;
    }
    if (isBinary) return this.reply(nativeFrames.error('invalid_request', 'Binary messages are not supported'));
    if (this.busy) {
      this.queue.push(data);
      return;
    }
    this.run(data);
  }

  reply(text: string): void {
    this.host.send(this.conn, text);
  }

  private run(data: RawData): void {
    let pending: Promise<void> | void;
    try {
      pending = this.dispatch(data);
    } catch (e) {
      this.fail(e, undefined);
      return;
    }
    if (!pending) return;
    this.busy = true;
    pending.finally(() => {
      this.busy = false;
      const next = this.queue.shift();
      if (next !== undefined && !this.conn.closed) this.run(next);
    });
  }

  private dispatch(data: RawData): Promise<void> | void {
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (size > this.host.maxFrameBytes) {
      return this.reply(nativeFrames.error('message_too_large', `Message exceeds ${this.host.maxFrameBytes} bytes`));
    }
    let message: unknown;
    try {
      message = JSON.parse(rawText(data));
    } catch {
      return this.reply(nativeFrames.error('invalid_request', 'Invalid JSON'));
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      return this.reply(nativeFrames.error('invalid_request', 'Message must be a JSON object'));
    }
    const m = message as Message;
    if (!this.authenticated) {
      if (m.type === 'authenticate') return this.host.authenticate(this, asObject(m.payload));
      return this.reply(nativeFrames.error('unauthorized', 'Authenticate first: {"type":"authenticate","payload":{"apiKey":"..."}}'));
    }
    switch (m.type) {
      case 'ping':
        return this.reply(nativeFrames.pong());
      case 'subscribe':
        return this.guard(this.host.subscribe(this.conn, commandData(m)), commandData(m).channel, true);
      case 'unsubscribe':
        return this.host.unsubscribe(this.conn, commandData(m));
      case 'broadcast':
        return this.host.broadcast(this.conn, m);
      case 'authenticate':
        return this.reply(nativeFrames.error('invalid_request', 'Already authenticated'));
      default: {
        const handler = this.host.handler(m.type);
        if (!handler) return this.reply(nativeFrames.error('invalid_request', 'Unknown message type'));
        const context = { conn: this.conn, message: m, reply: this.replyToConn };
        return this.guard(Promise.resolve().then(() => handler(context)), undefined, false);
      }
    }
  }

  private guard(p: Promise<void>, channel: unknown, subscribing: boolean): Promise<void> {
    return p.catch((e: unknown) => this.fail(e, typeof channel === 'string' ? channel : undefined, subscribing));
  }

  private fail(e: unknown, channel: string | undefined, subscribing = false): void {
    if (!(e instanceof DomainError)) this.onUnexpected(e);
    this.reply(nativeFrames.error(nativeErrorCode(e, subscribing), errorMessage(e), channel));
  }

  /** Replaced by NativeWs to log; an unexpected error must be visible to the operator. */
  onUnexpected: (e: unknown) => void = () => undefined;
}

function asObject(value: unknown): Message {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Message) : {};
}

/** Seed 004 puts command arguments in `data`; a top-level `channel` is accepted too. */
function commandData(m: Message): Message {
  const data = asObject(m.data);
  return data.channel === undefined && m.channel !== undefined ? { ...data, channel: m.channel } : data;
}
