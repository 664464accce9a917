import { Inject, Injectable } from '@nestjs/common';
import { DomainError, validationError } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { FeedsService } from '../feeds/feeds.service';
import type { LlmAnswerDto, LlmProvidersDto, LlmQueryDto } from './dto/llm.dto';
import { buildPrompt } from './llm-prompt';
import { LlmProvider, LlmRequest, LlmResult } from './llm-provider';
import { LlmProviderError } from './llm-provider.error';
import { LlmProviderRegistry } from './llm-provider.registry';
import { TokenQuotaService } from './token-quota.service';

/** Rough tokens of text a provider never reported usage for (a stream cut short): 4 characters a token. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/**
 * Manual queries (REST and WebSocket): the caller must be able to read the feed; the context is the
 * feed's (or one topic's) last LLM_CONTEXT_LIMIT entries; the caller's account pays the tokens the
 * provider reports and is refused with QUOTA_EXCEEDED once its month's quota is used up.
 */
@Injectable()
export class LlmService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly feeds: FeedsService,
    private readonly providers: LlmProviderRegistry,
    private readonly quota: TokenQuotaService,
  ) {}

  listProviders(): LlmProvidersDto {
    const providers = this.providers.names();
    return { enabled: providers.length > 0, providers, defaultProvider: this.providers.defaultName() };
  }

  async query(accountId: string, dto: LlmQueryDto, signal: AbortSignal = new AbortController().signal): Promise<LlmAnswerDto> {
    const { provider, request } = await this.prepare(accountId, dto);
    const started = Date.now();
    const result = await this.call(accountId, signal, (s) => provider.complete(request, s));
    return this.answer(dto.feedId, provider, result, started);
  }

  /**
   * Streams the answer through `onChunk`. When `signal` aborts (the client went away) the upstream
   * request is cancelled and the text generated so far is charged by estimate, since the vendor's
   * usage report never came.
   */
  async stream(accountId: string, dto: LlmQueryDto, signal: AbortSignal, onChunk: (text: string) => void): Promise<LlmAnswerDto> {
    return (await this.openStream(accountId, dto))(signal, onChunk);
  }

  /**
   * The checks of a streamed query (access, topic, quota: errors here come before any chunk), and
   * then a function that runs it.
   */
  async openStream(accountId: string, dto: LlmQueryDto): Promise<(signal: AbortSignal, onChunk: (text: string) => void) => Promise<LlmAnswerDto>> {
    const { provider, request } = await this.prepare(accountId, dto);
    return async (signal, onChunk) => {
      const started = Date.now();
      let sent = '';
      const result = await this.call(accountId, signal, (s) =>
        provider.stream(request, s, (piece) => {
          sent += piece;
          onChunk(piece);
        }),
      ).catch(async (err: unknown) => {
        if (signal.aborted && provider.name !== 'builtin') {
          await this.quota.charge(accountId, estimateTokens(request.system + request.messages.map((m) => m.content).join('')) + estimateTokens(sent));
        }
        throw err;
      });
      return this.answer(dto.feedId, provider, result, started);
    };
  }

  /** Checks access, topic and quota, and builds the request: everything that can fail before a provider is called. */
  private async prepare(accountId: string, dto: LlmQueryDto): Promise<{ provider: LlmProvider; request: LlmRequest }> {
    const feed = await this.feeds.readable(accountId, dto.feedId);
    const topic = dto.topic ?? null;
    if (topic !== null && !feed.enableTopicRouting) throw validationError('topic is only valid for a feed with topic routing');
    const provider = this.providers.get(dto.provider);
    if (provider.name !== 'builtin') await this.quota.assertAvailable(accountId);
    const window = await this.feeds.contextWindow(feed.id, topic);
    const request = buildPrompt({
      question: dto.question,
      systemPrompt: dto.systemPrompt ?? feed.defaultAIPrompt,
      window,
      topic,
      maxTokens: this.config.llm.maxTokens,
      temperature: this.config.llm.temperature,
    });
    return { provider, request };
  }

  private async call(
    accountId: string,
    signal: AbortSignal,
    run: (signal: AbortSignal) => Promise<LlmResult>,
  ): Promise<LlmResult> {
    let result: LlmResult;
    try {
      result = await run(signal);
    } catch (err) {
      throw err instanceof LlmProviderError ? providerUnavailable(err) : err;
    }
    await this.quota.charge(accountId, result.usage.totalTokens);
    return result;
  }

  private answer(feedId: string, provider: LlmProvider, result: LlmResult, started: number): LlmAnswerDto {
    return { answer: result.text, provider: provider.name, feedId, tokensUsed: result.usage.totalTokens, durationMs: Date.now() - started };
  }
}

/** A vendor failure as the API reports it: 503, with the vendor's Retry-After when it gave one. */
export function providerUnavailable(err: LlmProviderError): DomainError {
  const retry = err.retryAfterMs !== null ? Math.ceil(err.retryAfterMs / 1000) : undefined;
  return new DomainError('SERVICE_UNAVAILABLE', `LLM provider ${err.provider} failed: ${err.message}`, { provider: err.provider, status: err.status, kind: err.kind }, retry);
}
