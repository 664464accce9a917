import type { RawData } from 'ws';
import { DomainError } from '../../common/domain-error';
import type { PresenceMember } from '../../realtime/access/channel-access';
import type { HubConnection } from '../../realtime/hub/hub-connection';
import { InboundRateLimiter } from '../../realtime/ws/inbound-rate-limiter';
import { rawText } from '../../realtime/ws/raw-text';
import { isServerToUserChannel, serverToUserId } from './pusher-channels';
import { pusherFrames } from './pusher-frames';
import { PUSHER_LIMITS } from './pusher-limits';
import { parseUserData, verifyUserAuth } from './pusher-user-auth';

/** What a session needs from PusherWs (the services behind it). */
export interface PusherSessionHost {
  readonly maxFrameBytes: number;
  readonly maxMessagesPerSecond: number;
  send(conn: HubConnection, text: string): void;
  /** Throws (or rejects) what the client did wrong; a promise only when something had to be waited for. */
  subscribe(conn: HubConnection, channel: string, auth: unknown, channelData: unknown): PresenceMember[] | null | Promise<PresenceMember[] | null>;
  unsubscribe(conn: HubConnection, channel: string): void;
  afterSubscribe(conn: HubConnection, channel: string): void | Promise<void>;
  clientEvent(conn: HubConnection, channel: string, event: string, data: unknown, userId: string): void;
  signin(conn: HubConnection, userId: string, watchlist: string[]): Promise<PresenceMember[][]>;
  countMessageIn(): void;
}

export const CLIENT_EVENT_REJECTED = 4301;
export const WATCHLIST_LIMIT_EXCEEDED = 4302;
export const UNAUTHORIZED = 4009;
const MAX_WATCHLIST = 100;

type Frame = { event?: unknown; channel?: unknown; data?: unknown };

/**
 * One Pusher connection's inbound side. Frames are handled in arrival order (a client event right
 * after a subscribe sees the subscription): synchronously while nothing is pending, queued behind a
 * frame whose handling had to wait (a presence subscribe, a sign-in, a Redis round trip). Bad
 * frames get a `pusher:error` and the connection stays; only the handshake closes connections.
 */
export class PusherSession {
  /** Presence channels this connection joined, with the user id it joined as (for client events' user_id); created on first use. */
  private presenceUser: Map<string, string> | null = null;
  private readonly inbound: InboundRateLimiter;
  private clientEventsWindow = 0;
  private clientEventsCount = 0;
  /** Frames waiting behind one whose handling is in flight; null while nothing is. */
  private queue: Frame[] | null = null;

  constructor(
    private readonly host: PusherSessionHost,
    readonly conn: HubConnection,
    private readonly tenant: { key: string; secret: string; clientEventsEnabled: boolean },
  ) {
    this.inbound = new InboundRateLimiter(host.maxMessagesPerSecond);
  }

  onMessage(data: RawData, isBinary: boolean): void {
    this.host.countMessageIn();
    if (!this.inbound.allow(Date.now())) {
      if (this.inbound.shouldWarn()) this.error(`Too many messages: at most ${this.host.maxMessagesPerSecond} per second`, CLIENT_EVENT_REJECTED);
      return;
    }
    const text = isBinary ? null : rawText(data);
    if (text === null || text.length > this.host.maxFrameBytes) {
      return this.error(text === null ? 'Binary frames are not supported' : `Message exceeds ${this.host.maxFrameBytes} bytes`, null);
    }
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      return this.error('Invalid JSON', null);
    }
    if (typeof frame !== 'object' || frame === null || typeof frame.event !== 'string') return this.error('Message must be an object with an event', null);
    if (this.queue) this.queue.push(frame);
    else this.run(frame);
  }

  /** Handles one frame; if that has to wait, later frames queue until it is done. */
  private run(frame: Frame): void {
    let pending: void | Promise<void>;
    try {
      pending = this.handle(frame);
    } catch {
      return this.error('Internal server error', null);
    }
    if (!pending) return;
    this.queue ??= [];
    pending.then(
      () => this.drain(),
      () => {
        this.error('Internal server error', null);
        this.drain();
      },
    );
  }

  private drain(): void {
    const queue = this.queue!;
    this.queue = null;
    while (queue.length > 0 && this.queue === null) {
      this.run(queue.shift()!);
      // run() set a new queue if that frame has to wait: the rest go in front of anything newer.
      if (this.queue !== null) (this.queue as Frame[]).push(...queue);
    }
  }

  private handle(frame: Frame): void | Promise<void> {
    if (this.conn.closed) return;
    const event = frame.event as string;
    const data = asObject(frame.data);
    switch (event) {
      case 'pusher:ping':
        return this.host.send(this.conn, pusherFrames.pong());
      case 'pusher:pong':
        return;
      case 'pusher:subscribe':
        return this.subscribe(data);
      case 'pusher:unsubscribe':
        return this.unsubscribe(data);
      case 'pusher:signin':
        return this.signin(data);
      default:
        if (event.startsWith('client-')) return this.clientEvent(event, frame.channel, frame.data);
        // Unknown pusher: events are ignored, as Pusher does.
        if (event.startsWith('pusher:')) return;
        return this.error(`Unknown event ${event.slice(0, 64)}: client events must start with client-`, CLIENT_EVENT_REJECTED);
    }
  }

  private subscribe(data: Record<string, unknown>): void | Promise<void> {
    const channel = data.channel;
    if (typeof channel !== 'string' || channel.length === 0) return this.error('Channel required', null);
    if (isServerToUserChannel(channel)) {
      if (this.conn.boundUserId !== null && this.conn.boundUserId === serverToUserId(channel)) {
        return this.host.send(this.conn, pusherFrames.subscriptionSucceeded(channel, null));
      }
      return this.subscriptionError(channel, 'AuthError', 'Sign in as this user first', 403);
    }
    let members: PresenceMember[] | null | Promise<PresenceMember[] | null>;
    try {
      members = this.host.subscribe(this.conn, channel, data.auth, data.channel_data);
    } catch (e) {
      return this.subscriptionFailure(channel, e);
    }
    if (members instanceof Promise) {
      return members.then(
        (m) => this.subscribed(channel, data, m),
        (e: unknown) => this.subscriptionFailure(channel, e),
      );
    }
    return this.subscribed(channel, data, members);
  }

  private subscribed(channel: string, data: Record<string, unknown>, members: PresenceMember[] | null): void | Promise<void> {
    if (members) (this.presenceUser ??= new Map()).set(channel, presenceUserId(data.channel_data));
    this.host.send(this.conn, pusherFrames.subscriptionSucceeded(channel, members));
    return this.host.afterSubscribe(this.conn, channel);
  }

  private unsubscribe(data: Record<string, unknown>): void {
    const channel = data.channel;
    if (typeof channel !== 'string' || isServerToUserChannel(channel)) return;
    this.presenceUser?.delete(channel);
    this.host.unsubscribe(this.conn, channel);
  }

  private clientEvent(event: string, channel: unknown, data: unknown): void {
    if (typeof channel !== 'string') return this.error('Client events need a channel', CLIENT_EVENT_REJECTED);
    if (!this.tenant.clientEventsEnabled) return this.error('Client events are not enabled for this app', CLIENT_EVENT_REJECTED, channel);
    if (!(channel.startsWith('private-') || channel.startsWith('presence-')) || channel.startsWith('private-encrypted-')) {
      return this.error('Client events are only allowed on private and presence channels', CLIENT_EVENT_REJECTED, channel);
    }
    if (!this.conn.channels.has(channel)) return this.error(`Not subscribed to ${channel}`, CLIENT_EVENT_REJECTED, channel);
    if (event.length > PUSHER_LIMITS.maxEventNameLength) return this.error('Event name too long', CLIENT_EVENT_REJECTED, channel);
    const now = Math.floor(Date.now() / 1000);
    if (this.clientEventsWindow !== now) {
      this.clientEventsWindow = now;
      this.clientEventsCount = 0;
    }
    if (++this.clientEventsCount > PUSHER_LIMITS.clientEventsPerSecond) {
      return this.error(`Client event rate limit reached: at most ${PUSHER_LIMITS.clientEventsPerSecond} per second`, CLIENT_EVENT_REJECTED, channel);
    }
    if (Buffer.byteLength(JSON.stringify(data ?? null)) > PUSHER_LIMITS.maxEventDataBytes) {
      return this.error(`Client event data exceeds ${PUSHER_LIMITS.maxEventDataBytes} bytes`, CLIENT_EVENT_REJECTED, channel);
    }
    this.host.clientEvent(this.conn, channel, event, data, this.presenceUser?.get(channel) ?? '');
  }

  private async signin(data: Record<string, unknown>): Promise<void> {
    const userData = parseUserData(data.user_data);
    if (typeof userData === 'string') return this.error(userData, UNAUTHORIZED);
    if (typeof data.auth !== 'string' || !verifyUserAuth(this.tenant.secret, this.tenant.key, this.conn.id, userData.raw, data.auth)) {
      return this.error(`Invalid signature: expected HMAC SHA256 hex digest of ${this.conn.id}::user::<user_data>`, UNAUTHORIZED);
    }
    if (this.conn.boundUserId !== null && this.conn.boundUserId !== userData.id) {
      return this.error('This connection is already signed in as another user', UNAUTHORIZED);
    }
    const watchlist = [...new Set(userData.watchlist)];
    if (watchlist.length > MAX_WATCHLIST) this.error(`Watchlist limit exceeded: only the first ${MAX_WATCHLIST} ids are watched`, WATCHLIST_LIMIT_EXCEEDED);
    const watched = watchlist.slice(0, MAX_WATCHLIST);
    let statuses: PresenceMember[][];
    try {
      statuses = await this.host.signin(this.conn, userData.id, watched);
    } catch {
      return this.error('Sign-in failed; try again', null);
    }
    this.host.send(this.conn, pusherFrames.signinSuccess(userData.raw));
    if (watched.length === 0) return;
    const online = watched.filter((_, i) => statuses[i].length > 0);
    const offline = watched.filter((_, i) => statuses[i].length === 0);
    const events: Array<{ name: 'online' | 'offline'; user_ids: string[] }> = [];
    if (online.length) events.push({ name: 'online', user_ids: online });
    if (offline.length) events.push({ name: 'offline', user_ids: offline });
    this.host.send(this.conn, pusherFrames.watchlist(events));
  }

  private subscriptionFailure(channel: string, e: unknown): void {
    if (!(e instanceof DomainError)) return this.subscriptionError(channel, 'ServerError', 'Internal server error', 500);
    switch (e.code) {
      case 'AUTHENTICATION_ERROR':
      case 'AUTHORIZATION_ERROR':
        return this.subscriptionError(channel, 'AuthError', e.message, 401);
      case 'PAYLOAD_TOO_LARGE':
        return this.subscriptionError(channel, 'LimitReached', e.message, 4301);
      case 'QUOTA_EXCEEDED':
        return this.subscriptionError(channel, 'LimitReached', e.message, 4100);
      case 'VALIDATION_ERROR':
        return this.subscriptionError(channel, 'LimitReached', e.message, 4009);
      default:
        return this.subscriptionError(channel, 'ServerError', e.message, 500);
    }
  }

  private subscriptionError(channel: string, type: 'AuthError' | 'LimitReached' | 'ServerError', error: string, status: number): void {
    this.host.send(this.conn, pusherFrames.subscriptionError(channel, type, error, status));
  }

  private error(message: string, code: number | null, channel?: string): void {
    this.host.send(this.conn, pusherFrames.error(message, code, channel));
  }
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The (already verified) user id of presence channel_data. */
function presenceUserId(channelData: unknown): string {
  try {
    return String((JSON.parse(String(channelData)) as { user_id: unknown }).user_id);
  } catch {
    return '';
  }
}

