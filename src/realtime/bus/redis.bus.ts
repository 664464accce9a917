import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { busMessageOrigin } from './bus-message';
import type { RealtimeBus } from './realtime-bus';

/**
 * Redis pub/sub. Publishes on the shared command connection; listens on a dedicated subscriber
 * connection (a subscribed connection cannot run other commands), subscribed only to the topics this
 * instance's connections need. ioredis re-subscribes them by itself after a reconnect.
 */
export class RedisBus implements RealtimeBus {
  readonly distributed = true;
  private readonly logger = new Logger('RedisBus');
  private lastErrorLog = 0;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly instanceId: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  async start(onMessage: (payload: string) => void): Promise<void> {
    this.subscriber.on('error', (e) => this.failed(e));
    this.subscriber.on('message', (_topic: string, payload: string) => {
      // Our own publishes come back too; they were delivered locally when published.
      if (busMessageOrigin(payload) !== this.instanceId) onMessage(payload);
    });
    await this.subscriber.ping().catch(() => undefined);
  }

  publish(topic: string, payload: string): void {
    this.publisher.publish(topic, payload).catch((e: unknown) => this.failed(e));
  }

  async subscribe(topic: string): Promise<void> {
    try {
      await this.subscriber.subscribe(topic);
    } catch (e) {
      this.failed(e);
      throw e;
    }
  }

  unsubscribe(topic: string): void {
    this.subscriber.unsubscribe(topic).catch((e: unknown) => this.failed(e));
  }

  async stop(): Promise<void> {
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  abandon(): void {
    this.subscriber.disconnect();
  }

  private failed(e: unknown): void {
    this.onError(e);
    const now = Date.now();
    // One log line per 10 s at most: a Redis outage must not flood the log.
    if (now - this.lastErrorLog > 10_000) {
      this.lastErrorLog = now;
      this.logger.warn(`Redis bus error: ${(e as Error)?.message ?? String(e)}`);
    }
  }
}
