import type { Logger } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import type { RealtimeHub } from '../../realtime/hub/realtime-hub.service';
import { FEED_DATA_EVENT, FEEDS_NAMESPACE, feedChannels } from './feed-channels';
import { emptyDelta, FeedStateStore, FeedStatsDelta, isEmptyDelta } from './feed-state.store';
import { FeedUpstream } from './feed-upstream';
import type { Feed } from './entities/feed.entity';
import { extractTopic, parseTopicPath, TopicPath } from './topic-path';

/** Counters and windows go to the store this often (not per message). */
const FLUSH_INTERVAL_MS = 250;

/** What ingestion needs of a feed; `version` changes whenever the feed is saved. */
export interface FeedSpec {
  id: string;
  name: string;
  url: string;
  connectionMessages: string[];
  reconnectionEnabled: boolean;
  enableTopicRouting: boolean;
  topicField: string | null;
  version: number;
}

export function feedSpecOf(feed: Feed): FeedSpec {
  return {
    id: feed.id,
    name: feed.name,
    url: feed.url,
    connectionMessages: feed.connectionMessages,
    reconnectionEnabled: feed.reconnectionEnabled,
    enableTopicRouting: feed.enableTopicRouting,
    topicField: feed.topicField,
    version: feed.updatedAt.getTime(),
  };
}

/**
 * Ingestion of one feed on the instance holding its lease: the upstream connection, topic routing,
 * publication through the hub (serialised once here; the hub frames it once per dialect and relays
 * it to the other instances), counters and windows gathered and flushed to the store every 250 ms.
 */
export class FeedIngester {
  private readonly upstream: FeedUpstream;
  private readonly path: TopicPath | null;
  private readonly feedChannel: string;
  private readonly headJson: string;
  private delta: FeedStatsDelta = emptyDelta();
  private readonly flushTimer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    readonly spec: FeedSpec,
    private readonly hub: RealtimeHub,
    private readonly store: FeedStateStore,
    private readonly config: AppConfig,
    private readonly logger: Logger,
  ) {
    this.path = spec.enableTopicRouting && spec.topicField ? parseTopicPath(spec.topicField) : null;
    this.feedChannel = feedChannels.feed(spec.id);
    this.headJson = `{"feedId":${JSON.stringify(spec.id)},"feedName":${JSON.stringify(spec.name)}`;
    const f = config.feeds;
    this.upstream = new FeedUpstream(
      {
        url: spec.url,
        connectionMessages: spec.connectionMessages,
        reconnectionEnabled: spec.reconnectionEnabled,
        baseDelayMs: f.reconnectBaseDelayMs,
        maxDelayMs: f.reconnectMaxDelayMs,
        silenceTimeoutMs: f.silenceTimeoutMs,
        connectTimeoutMs: f.connectTimeoutMs,
        maxFrameBytes: f.maxFrameBytes,
        allowPrivateHosts: f.allowPrivateHosts,
      },
      {
        onMessage: (text, bytes) => this.onMessage(text, bytes),
        onOversized: () => void this.delta.oversizedDropped++,
        onReconnect: () => void this.delta.reconnects++,
        onState: (state, detail) => {
          if (this.stopped) return;
          if (detail.error) this.logger.debug(`Feed ${spec.id}: ${state}: ${detail.error}`);
          this.track(this.store.setState(spec.id, state, { connectedAt: detail.connectedAt, lastError: detail.error }));
        },
      },
    );
    this.flushTimer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  start(): void {
    this.upstream.start();
  }

  /** Closes the upstream, flushes what was gathered and records `stopped`. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.upstream.stop();
    clearInterval(this.flushTimer);
    this.flush();
    this.stopped = true;
    await this.flushing;
    await this.store.setState(this.spec.id, 'stopped', { connectedAt: null }).catch(() => undefined);
  }

  /** Crash semantics: the upstream socket dropped, nothing written anywhere any more. */
  abandon(): void {
    this.stopped = true;
    clearInterval(this.flushTimer);
    this.upstream.stop();
  }

  private onMessage(text: string, bytes: number): void {
    const now = Date.now();
    const d = this.delta;
    d.messages++;
    d.bytes += bytes;
    d.lastMessageAt = now;
    let parsed: unknown;
    let dataJson: string;
    try {
      parsed = JSON.parse(text);
      // Valid JSON text is spliced in as it came: the data is never serialised again.
      dataJson = text;
    } catch {
      parsed = undefined;
      dataJson = JSON.stringify(text);
    }
    const timestamp = new Date(now).toISOString();
    if (this.path) {
      const topic = parsed === undefined ? null : extractTopic(this.path, parsed);
      if (topic === null) {
        d.withoutTopic++;
        this.pushWindow(null, `${this.headJson},"eventName":${JSON.stringify(eventNameOf(parsed))},"topic":null,"data":${dataJson},"timestamp":"${timestamp}"}`);
        return;
      }
      const payload = `${this.headJson},"eventName":${JSON.stringify(topic)},"topic":${JSON.stringify(topic)},"data":${dataJson},"timestamp":"${timestamp}"}`;
      const seen = d.topics.get(topic);
      if (seen) {
        seen.count++;
        seen.lastSeenAt = now;
      } else d.topics.set(topic, { count: 1, lastSeenAt: now });
      this.pushWindow(null, payload);
      this.pushWindow(topic, payload);
      // Topic-routed feeds do not broadcast raw data (seed 003): only the topic's opted-in subscribers get it.
      this.hub.publish(FEEDS_NAMESPACE, feedChannels.topicData(this.spec.id, topic), { name: FEED_DATA_EVENT, dataJson: payload });
      return;
    }
    const payload = `${this.headJson},"eventName":${JSON.stringify(eventNameOf(parsed))},"data":${dataJson},"timestamp":"${timestamp}"}`;
    this.pushWindow(null, payload);
    this.hub.publish(FEEDS_NAMESPACE, this.feedChannel, { name: FEED_DATA_EVENT, dataJson: payload });
  }

  private pushWindow(topic: string | null, payload: string): void {
    const limit = this.config.feeds.contextLimit;
    let list = this.delta.windows.get(topic);
    if (!list) this.delta.windows.set(topic, (list = []));
    list.push(payload);
    // Only the newest `limit` can survive the trim: do not hold more between flushes.
    if (list.length >= 2 * limit) list.splice(0, list.length - limit);
  }

  private flush(): void {
    if (this.stopped || isEmptyDelta(this.delta)) return;
    const delta = this.delta;
    this.delta = emptyDelta();
    this.track(this.store.flush(this.spec.id, delta, this.config.feeds.contextLimit));
  }

  private track(p: Promise<void>): void {
    const settled = p.catch((e: unknown) => this.logger.warn(`Feed ${this.spec.id}: state update failed: ${(e as Error).message}`));
    this.flushing = this.flushing.then(() => settled);
  }
}

/** `eventName` of a frame without a topic: its `type`, `event` or `e` field when it has one, else "message". */
function eventNameOf(parsed: unknown): string {
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    const o = parsed as Record<string, unknown>;
    for (const key of ['type', 'event', 'e']) if (typeof o[key] === 'string' && (o[key] as string).length <= 100) return o[key] as string;
  }
  return 'message';
}
