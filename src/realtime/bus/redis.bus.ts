import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { busMessageOrigin } from './bus-message';
import type { RealtimeBus } from './realtime-bus';

/** KEYS: none. ARGV: topic, payload, topic, payload, ... Publishes each pair, in order. */
const PUBLISH_MANY = {
  numberOfKeys: 0,
  lua: `for i = 1, #ARGV, 2 do redis.call('PUBLISH', ARGV[i], ARGV[i + 1]) end
return 0`,
};
/** Pairs per PUBLISH_MANY call (a turn with more is split). */
const MAX_BATCH = 256;

type PublishMany = (...args: string[]) => Promise<unknown>;

/**
 * Redis pub/sub. Publishes on the shared command connection; listens on a dedicated subscriber
 * connection (a subscribed connection cannot run other commands), subscribed only to the topics this
 * instance's connections need. ioredis re-subscribes them by itself after a reconnect.
 *
 * Publishes are batched per event-loop turn: the hub has already delivered locally, so a publish
 * only queues its (already encoded) payload, and one `setImmediate` sends the turn's payloads as one
 * command (a Lua loop of PUBLISH, in order) instead of one command, promise and write each. Order is
 * kept: a turn's batch is one command, and batches go out in turn order on one connection.
 */
export class RedisBus implements RealtimeBus {
  readonly distributed = true;
  private readonly logger = new Logger('RedisBus');
  private lastErrorLog = 0;
  /** topic, payload, topic, payload, ... queued this turn. */
  private queue: string[] = [];
  private scheduled = false;
  private readonly flushBound = () => this.flush();
  private readonly onPublishError = (e: unknown) => this.failed(e);

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly instanceId: string,
    private readonly onError: (error: unknown) => void,
  ) {
    if (!('rtPublishMany' in publisher)) publisher.defineCommand('rtPublishMany', PUBLISH_MANY);
  }

  async start(onMessage: (payload: string) => void): Promise<void> {
    this.subscriber.on('error', (e) => this.failed(e));
    this.subscriber.on('message', (_topic: string, payload: string) => {
      // Our own publishes come back too; they were delivered locally when published.
      if (busMessageOrigin(payload) !== this.instanceId) onMessage(payload);
    });
    await this.subscriber.ping().catch(() => undefined);
  }

  publish(topic: string, payload: string): void {
    this.queue.push(topic, payload);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushBound);
  }

  /** Sends the turn's publishes. */
  flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    if (queue.length === 0) return;
    this.queue = [];
    if (queue.length === 2) {
      this.publisher.publish(queue[0], queue[1]).catch(this.onPublishError);
      return;
    }
    const publishMany = (this.publisher as unknown as { rtPublishMany: PublishMany }).rtPublishMany.bind(this.publisher);
    for (let i = 0; i < queue.length; i += 2 * MAX_BATCH) {
      publishMany(...queue.slice(i, i + 2 * MAX_BATCH)).catch(this.onPublishError);
    }
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
    this.flush();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  abandon(): void {
    this.queue = [];
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
