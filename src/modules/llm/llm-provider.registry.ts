import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig, LlmProviderName, LlmVendorConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import { validationError } from '../../common/domain-error';
import { LlmProvider } from './llm-provider';
import { AnthropicProvider } from './providers/anthropic.provider';
import { BuiltinProvider } from './providers/builtin.provider';
import { GeminiProvider } from './providers/gemini.provider';
import { OllamaProvider } from './providers/ollama.provider';
import { OpenAiCompatibleProvider } from './providers/openai-compatible.provider';
import { anthropicClient, azureOpenAiClient, openAiClient } from './providers/sdk-clients';

/** The order providers are listed in, and tried in when DEFAULT_AI_PROVIDER is not set. */
export const PROVIDER_ORDER: readonly LlmProviderName[] = ['openai', 'azure-openai', 'anthropic', 'gemini', 'mistral', 'grok', 'ollama', 'builtin'];

/** Builds the configured providers from the environment. Exported for tests of the wire clients. */
export function buildProviders(config: AppConfig): Map<LlmProviderName, LlmProvider> {
  const c = config.llm;
  const t = c.requestTimeoutMs;
  const out = new Map<LlmProviderName, LlmProvider>();
  const sdk = (v: LlmVendorConfig) => ({ apiKey: v.apiKey!, baseUrl: v.baseUrl, timeoutMs: t });
  if (c.openai.configured) out.set('openai', new OpenAiCompatibleProvider('openai', c.openai.model, openAiClient('openai', sdk(c.openai)), t));
  if (c.azure.configured) {
    const client = azureOpenAiClient({ ...sdk(c.azure), deployment: c.azure.deployment, apiVersion: c.azure.apiVersion });
    out.set('azure-openai', new OpenAiCompatibleProvider('azure-openai', c.azure.deployment, client, t));
  }
  if (c.anthropic.configured) out.set('anthropic', new AnthropicProvider(c.anthropic.model, anthropicClient(sdk(c.anthropic)), t));
  if (c.gemini.configured) out.set('gemini', new GeminiProvider(c.gemini.model, c.gemini.baseUrl, c.gemini.apiKey!, t));
  if (c.mistral.configured) out.set('mistral', new OpenAiCompatibleProvider('mistral', c.mistral.model, openAiClient('mistral', sdk(c.mistral)), t));
  if (c.grok.configured) out.set('grok', new OpenAiCompatibleProvider('grok', c.grok.model, openAiClient('grok', sdk(c.grok)), t));
  if (c.ollama.configured) out.set('ollama', new OllamaProvider(c.ollama.model, c.ollama.baseUrl, t));
  if (c.builtinEnabled) out.set('builtin', new BuiltinProvider());
  return out;
}

/** The enabled providers (configured ones, plus builtin unless turned off) and the default one. */
@Injectable()
export class LlmProviderRegistry implements OnModuleInit {
  private readonly logger = new Logger('LlmProviders');
  private readonly providers: Map<LlmProviderName, LlmProvider>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.providers = buildProviders(config);
  }

  onModuleInit(): void {
    for (const p of this.providers.values()) this.logger.log(`${p.name} enabled (model: ${p.model})`);
    this.logger.log(`${this.providers.size} LLM provider(s) available: [${this.names().join(', ')}]; default: ${this.defaultName() ?? 'none'}`);
    const wanted = this.config.llm.defaultProvider;
    if (wanted && !this.providers.has(wanted)) this.logger.warn(`DEFAULT_AI_PROVIDER=${wanted} is not configured; using ${this.defaultName() ?? 'none'}`);
  }

  names(): LlmProviderName[] {
    return PROVIDER_ORDER.filter((n) => this.providers.has(n));
  }

  /** DEFAULT_AI_PROVIDER when enabled, else the first configured model, else builtin. */
  defaultName(): LlmProviderName | null {
    const wanted = this.config.llm.defaultProvider;
    if (wanted && this.providers.has(wanted)) return wanted;
    return this.names()[0] ?? null;
  }

  /** The named provider (or the default); VALIDATION_ERROR when it is not enabled here. */
  get(name?: string | null): LlmProvider {
    const chosen = name ?? this.defaultName();
    const provider = chosen ? this.providers.get(chosen as LlmProviderName) : undefined;
    if (!provider) {
      throw validationError(chosen ? `LLM provider "${chosen}" is not enabled; enabled: ${this.names().join(', ') || 'none'}` : 'No LLM provider is enabled');
    }
    return provider;
  }
}
