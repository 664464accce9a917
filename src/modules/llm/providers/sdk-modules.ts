import { createRequire } from 'node:module';
import type * as AnthropicModule from '@anthropic-ai/sdk';
import type * as OpenAiModule from 'openai';

const load = createRequire(__filename);
let openAi: typeof OpenAiModule | undefined;
let anthropic: typeof AnthropicModule | undefined;

/**
 * The vendor SDKs, loaded on first use (a configured provider's client, or an SDK error to map):
 * loading both takes about a third of a second, a good part of a cold start, and most deployments
 * configure one vendor or none.
 */
export const openAiSdk = (): typeof OpenAiModule => (openAi ??= load('openai') as typeof OpenAiModule);
export const anthropicSdk = (): typeof AnthropicModule => (anthropic ??= load('@anthropic-ai/sdk') as typeof AnthropicModule);
