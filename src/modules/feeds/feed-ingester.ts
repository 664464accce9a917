import type { Logger } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config';
import type { RealtimeHub } from '../../realtime/hub/realtime-hub.service';
import { FEED_DATA_EVENT, FEEDS_NAMESPACE, feedChannels } from './feed-channels';
import { emptyDelta, FeedStateStore, FeedStatsDelta, isEmptyDelta } from './feed-state.store';
import { FeedWindowRing } from './feed-window-ring';
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

/** Routes (and their cached strings) kept per feed at most; past it they are rebuilt lazily after a flush. */
const MAX_ROUTES = 10_000;

/**
 * One topic of a topic-routed feed as ingestion sees it: the strings every message of the topic
 * shares (built once, not per message) and what was gathered for it since the last flush.
 */
interface TopicRoute {
  readonly topic: string;
  /** The hub channel of its routed data (`subscribe-topic` with `includeData`). */
  readonly channel: string;
  /** The feed-data payload up to its data: `{"feedId":..,"feedName":..,"eventName":<topic>,"topic":<topic>,"data":`. */
  readonly head: string;
  count: number;
  lastSeenAt: number;
  readonly window: FeedWindowRing;
}

/**
 * Ingestion of one feed on the instance holding its lease: the upstream connection, topic routing,
 * publication through the hub (serialised once here; the hub frames it once per dialect and relays
 * it to the other instances), counters and windows gathered and flushed to the store every 250 ms.
 * The per-message path parses the frame once (JSON.parse, which also validates what is spliced into
 * the payload), looks its topic up in a map of routes whose strings are built once, reuses the ISO
 * timestamp within a millisecond, appends to fixed rings and calls the hub once; it never awaits.
 */
export class FeedIngester {
  private readonly upstream: FeedUpstream;
  private readonly path: TopicPath | null;
  private readonly feedChannel: string;
  private readonly headJson: string;
  private readonly windowLimit: number;
  private readonly routes = new Map<string, TopicRoute>();
  /** Routes that got messages since the last flush. */
  private touched: TopicRoute[] = [];
  private readonly feedWindow: FeedWindowRing;
  private readonly eventNames = new Map<string, string>();
  private messages = 0;
  private bytes = 0;
  private lastMessageAt: number | null = null;
  private withoutTopic = 0;
  private reconnects = 0;
  private oversizedDropped = 0;
  private stampMs = -1;
  private stamp = '';
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
    this.windowLimit = config.feeds.contextLimit;
    this.feedWindow = new FeedWindowRing(this.windowLimit);
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
        onMessage: (text, bytes, receivedAt) => this.onMessage(text, bytes, receivedAt),
        onOversized: () => void this.oversizedDropped++,
        onReconnect: () => void this.reconnects++,
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

  private onMessage(text: string, bytes: number, now: number): void {
    this.messages++;
    this.bytes += bytes;
    this.lastMessageAt = now;
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
    if (now !== this.stampMs) {
      this.stampMs = now;
      this.stamp = new Date(now).toISOString();
    }
    const tail = `,"timestamp":"${this.stamp}"}`;
    if (this.path) {
      const topic = parsed === undefined ? null : extractTopic(this.path, parsed);
      if (topic === null) {
        this.withoutTopic++;
        this.feedWindow.push(`${this.headJson},"eventName":${this.eventNameJson(parsed)},"topic":null,"data":${dataJson}${tail}`);
        return;
      }
      const route = this.routes.get(topic) ?? this.route(topic);
      if (route.count++ === 0) this.touched.push(route);
      route.lastSeenAt = now;
      const payload = route.head + dataJson + tail;
      this.feedWindow.push(payload);
      route.window.push(payload);
      // Topic-routed feeds do not broadcast raw data (seed 003): only the topic's opted-in subscribers get it.
      this.hub.publish(FEEDS_NAMESPACE, route.channel, { name: FEED_DATA_EVENT, dataJson: payload });
      return;
    }
    const payload = `${this.headJson},"eventName":${this.eventNameJson(parsed)},"data":${dataJson}${tail}`;
    this.feedWindow.push(payload);
    this.hub.publish(FEEDS_NAMESPACE, this.feedChannel, { name: FEED_DATA_EVENT, dataJson: payload });
  }

  private route(topic: string): TopicRoute {
    const json = JSON.stringify(topic);
    const route: TopicRoute = {
      topic,
      channel: feedChannels.topicData(this.spec.id, topic),
      head: `${this.headJson},"eventName":${json},"topic":${json},"data":`,
      count: 0,
      lastSeenAt: 0,
      window: new FeedWindowRing(this.windowLimit),
    };
    this.routes.set(topic, route);
    return route;
  }

  /** `eventName` of a frame without a topic, as JSON, from a small cache of the names seen. */
  private eventNameJson(parsed: unknown): string {
    const name = eventNameOf(parsed);
    let json = this.eventNames.get(name);
    if (json === undefined) {
      if (this.eventNames.size >= 1_000) this.eventNames.clear();
      this.eventNames.set(name, (json = JSON.stringify(name)));
    }
    return json;
  }

  /** What was gathered since the last flush, handed to the store in one write; the counters start afresh. */
  private takeDelta(): FeedStatsDelta {
    const d = emptyDelta();
    d.messages = this.messages;
    d.bytes = this.bytes;
    d.lastMessageAt = this.lastMessageAt;
    d.withoutTopic = this.withoutTopic;
    d.reconnects = this.reconnects;
    d.oversizedDropped = this.oversizedDropped;
    this.messages = this.bytes = this.withoutTopic = this.reconnects = this.oversizedDropped = 0;
    this.lastMessageAt = null;
    if (this.feedWindow.length > 0) d.windows.set(null, this.feedWindow.drain());
    for (const route of this.touched) {
      d.topics.set(route.topic, { count: route.count, lastSeenAt: route.lastSeenAt });
      d.windows.set(route.topic, route.window.drain());
      route.count = 0;
    }
    this.touched = [];
    if (this.routes.size > MAX_ROUTES) this.routes.clear();
    return d;
  }

  private flush(): void {
    if (this.stopped) return;
    const delta = this.takeDelta();
    if (isEmptyDelta(delta)) return;
    this.track(this.store.flush(this.spec.id, delta, this.windowLimit));
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
