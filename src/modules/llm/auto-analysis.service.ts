import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DomainError } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { REDIS } from '../../infra/redis/redis.token';
import { CLUSTER_STATE, ClusterState } from '../../realtime/cluster/cluster-state';
import { RealtimeHub } from '../../realtime/hub/realtime-hub.service';
import { PAYLOAD_EVENT_PREFIX } from '../../realtime/ws/native/native.dialect';
import type { Feed } from '../feeds/entities/feed.entity';
import { FEEDS_NAMESPACE, feedChannels, LLM_INTELLIGENCE_EVENT } from '../feeds/feed-channels';
import { FeedsService } from '../feeds/feeds.service';
import { LlmAnalysisRepository } from './llm-analysis.repository';
import { analysisPrompt, buildPrompt, MEMORY_PAIRS } from './llm-prompt';
import { LlmProviderError } from './llm-provider.error';
import { LlmProviderRegistry } from './llm-provider.registry';
import { ProviderBackoff } from './provider-backoff';
import { TokenQuotaService } from './token-quota.service';
import { TopicLock } from './topic-lock';

/** `{"type":"llm-status","payload":{feedId, topic, status, provider, message, retryInMs?, timestamp}}`. */
export const LLM_STATUS_EVENT = `${PAYLOAD_EVENT_PREFIX}llm-status`;

export type TopicOutcome = 'analysed' | 'no_data' | 'locked' | 'backing_off' | 'quota_exceeded' | 'provider_error';

/**
 * Auto mode: one run analyses every topic of a topic-routed feed that has subscribers somewhere in the
 * cluster and data in its window (a topic without subscribers or data costs nothing). Per topic: its prompt, window and last 3
 * question/answer pairs go to the default provider; the analysis is stored and published as
 * `llm-intelligence` to the topic's channel. The feed owner pays. Provider failures back the provider
 * off (cluster-wide with Redis) and are told to the topic's subscribers as `llm-status`; they never throw,
 * so the schedule goes on.
 */
@Injectable()
export class AutoAnalysisService {
  private readonly logger = new Logger('LlmAutoAnalysis');
  private readonly backoff: ProviderBackoff;
  private readonly locks: TopicLock;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) redis: Redis | null,
    @Inject(CLUSTER_STATE) private readonly cluster: ClusterState,
    private readonly hub: RealtimeHub,
    private readonly feeds: FeedsService,
    private readonly providers: LlmProviderRegistry,
    private readonly quota: TokenQuotaService,
    private readonly analyses: LlmAnalysisRepository,
  ) {
    this.backoff = new ProviderBackoff(config.llm.backoffBaseMs, config.llm.backoffMaxMs, redis, config.redis.keyPrefix);
    this.locks = new TopicLock(redis, config.redis.keyPrefix);
  }

  async runFeed(feedId: string): Promise<Record<string, TopicOutcome>> {
    const feed = await this.feeds.findForAnalysis(feedId);
    if (!feed || !feed.isActive || !feed.enableTopicRouting) return {};
    const topics = await this.subscribedTopics(feed.id);
    const outcomes = await Promise.all(topics.map(async (t) => [t, await this.runTopic(feed, t)] as const));
    return Object.fromEntries(outcomes);
  }

  /** Topics of the feed whose intelligence channel has subscribers anywhere in the cluster. */
  async subscribedTopics(feedId: string): Promise<string[]> {
    const prefix = feedChannels.topic(feedId, '');
    const occupancy = await this.cluster.channels(FEEDS_NAMESPACE);
    return occupancy.filter((o) => o.subscriptionCount > 0 && o.name.startsWith(prefix)).map((o) => decodeURIComponent(o.name.slice(prefix.length)));
  }

  private async runTopic(feed: Feed, topic: string): Promise<TopicOutcome> {
    const provider = this.providers.get();
    if ((await this.backoff.remainingMs(provider.name)) > 0) return 'backing_off';
    const key = `${feed.id}:${encodeURIComponent(topic)}`;
    const token = randomUUID();
    if (!(await this.locks.acquire(key, token, this.config.llm.requestTimeoutMs + 10_000))) return 'locked';
    try {
      if (provider.name !== 'builtin') {
        try {
          await this.quota.assertAvailable(feed.ownerId);
        } catch (err) {
          if (!(err instanceof DomainError) || err.code !== 'QUOTA_EXCEEDED') throw err;
          this.status(feed.id, topic, { status: 'quota_exceeded', provider: provider.name, message: `Analysis paused: ${err.message}` });
          return 'quota_exceeded';
        }
      }
      const { systemPrompt, question } = analysisPrompt(feed, topic);
      const window = await this.feeds.contextWindow(feed.id, topic);
      // Nothing seen on the topic yet (or no longer in the window): nothing to analyse, nothing to pay.
      if (window.length === 0) return 'no_data';
      const memory = await this.analyses.latest(feed.id, topic, MEMORY_PAIRS);
      const request = buildPrompt({
        question,
        systemPrompt,
        window,
        topic,
        history: memory.map((m) => ({ question: m.question, answer: m.analysis })),
        maxTokens: this.config.llm.maxTokens,
        temperature: this.config.llm.temperature,
      });
      const started = Date.now();
      let text: string;
      let tokens: number;
      try {
        const result = await provider.complete(request, new AbortController().signal);
        text = result.text;
        tokens = result.usage.totalTokens;
      } catch (err) {
        if (!(err instanceof LlmProviderError)) throw err;
        const retryInMs = await this.backoff.failed(provider.name, err.retryAfterMs);
        this.logger.warn(`${provider.name} failed for feed ${feed.id} topic ${topic}: ${err.message}; backing off ${retryInMs} ms`);
        this.status(feed.id, topic, { status: 'provider_error', provider: provider.name, message: err.message, retryInMs });
        return 'provider_error';
      }
      await this.backoff.succeeded(provider.name);
      await this.quota.charge(feed.ownerId, tokens);
      const stored = await this.analyses.insert({
        feedId: feed.id,
        topic,
        provider: provider.name,
        model: provider.model,
        question,
        analysis: text,
        tokensUsed: tokens,
        durationMs: Date.now() - started,
      });
      const payload = { feedId: feed.id, topic, analysis: text, provider: provider.name, timestamp: stored.createdAt.toISOString() };
      this.hub.publish(FEEDS_NAMESPACE, feedChannels.topic(feed.id, topic), { name: LLM_INTELLIGENCE_EVENT, dataJson: JSON.stringify(payload) });
      return 'analysed';
    } finally {
      await this.locks.release(key, token).catch(() => undefined);
    }
  }

  private status(feedId: string, topic: string, body: { status: TopicOutcome; provider: string; message: string; retryInMs?: number }): void {
    const payload = { feedId, topic, ...body, timestamp: new Date().toISOString() };
    this.hub.publish(FEEDS_NAMESPACE, feedChannels.topic(feedId, topic), { name: LLM_STATUS_EVENT, dataJson: JSON.stringify(payload) });
  }
}
