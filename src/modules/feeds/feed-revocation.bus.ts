import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { REDIS } from '../../infra/redis/redis.token';

/** Why live subscriptions of a feed end. */
export type FeedRevocationReason = 'private' | 'inactive' | 'deleted';

/**
 * Live subscriptions of a feed that must end on every instance: those of every account but the
 * owner (`others`: the feed was made private or deactivated), or all of them (`all`: deleted).
 */
export interface FeedRevocation {
  feedId: string;
  ownerId: string;
  scope: 'others' | 'all';
  reason: FeedRevocationReason;
}

type Handler = (revocation: FeedRevocation) => void;

const SUBSCRIBE_WAIT_MS = 5_000;

/**
 * Carries feed revocations to every instance: applied here at once, and in full mode published on
 * Redis (`<prefix>:feeds:revoked`) to the other instances, which listen on a connection of their own.
 * The hub's own cross-instance evictions address tenant end users; feed subscribers are accounts and
 * API keys that may have no tenant, so feeds carry this one message themselves.
 */
@Injectable()
export class FeedRevocationBus implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('FeedRevocationBus');
  private readonly handlers: Handler[] = [];
  private readonly topic: string;
  /** This process's own publishes come back on the subscription; they were applied already. */
  private readonly origin = randomBytes(8).toString('hex');
  private subscriber: Redis | null = null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {
    this.topic = `${config.redis.keyPrefix}:feeds:revoked`;
  }

  async onModuleInit(): Promise<void> {
    if (!this.redis) return;
    const subscriber = this.redis.duplicate({ connectionName: 'relaybase-feeds' });
    this.subscriber = subscriber;
    subscriber.on('error', (e: Error) => this.logger.warn(`Feed revocation subscriber: ${e.message}`));
    subscriber.on('message', (_topic: string, payload: string) => this.onMessage(payload));
    // Boot waits for the subscription a little, never for ever: with Redis down, ioredis subscribes
    // (and re-subscribes after any reconnect) on its own once it is back.
    const subscribed = subscriber.subscribe(this.topic).catch((e: Error) => this.logger.warn(`Feed revocation subscribe failed: ${e.message}`));
    await Promise.race([subscribed, new Promise((r) => setTimeout(r, SUBSCRIBE_WAIT_MS).unref())]);
  }

  async onModuleDestroy(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = null;
    await subscriber?.quit().catch(() => subscriber.disconnect());
  }

  /** Registers what to do with a revocation on this instance (FeedsWs drops the subscriptions). */
  onRevoked(handler: Handler): void {
    this.handlers.push(handler);
  }

  /** Applies the revocation here and sends it to the other instances. Call after the change is committed. */
  announce(revocation: FeedRevocation): void {
    this.apply(revocation);
    if (!this.redis) return;
    this.redis.publish(this.topic, JSON.stringify({ origin: this.origin, ...revocation })).catch((e: Error) => {
      this.logger.warn(`Could not publish the revocation of feed ${revocation.feedId}: ${e.message}`);
    });
  }

  private onMessage(payload: string): void {
    let m: Partial<FeedRevocation> & { origin?: string };
    try {
      m = JSON.parse(payload) as typeof m;
    } catch {
      return;
    }
    if (m.origin === this.origin || typeof m.feedId !== 'string' || typeof m.ownerId !== 'string') return;
    if ((m.scope !== 'others' && m.scope !== 'all') || !['private', 'inactive', 'deleted'].includes(m.reason as string)) return;
    this.apply({ feedId: m.feedId, ownerId: m.ownerId, scope: m.scope, reason: m.reason as FeedRevocationReason });
  }

  private apply(revocation: FeedRevocation): void {
    for (const handler of this.handlers) {
      try {
        handler(revocation);
      } catch (e) {
        this.logger.error({ err: e }, `Dropping the subscriptions of feed ${revocation.feedId} failed`);
      }
    }
  }
}
