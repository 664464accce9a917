import type Anthropic from '@anthropic-ai/sdk';
import { Logger } from '@nestjs/common';
import type { AzureOpenAI, OpenAI } from 'openai';
import { anthropicSdk, openAiSdk } from './sdk-modules';

/**
 * The vendor SDK clients, configured from AppConfig: every option the SDKs would otherwise take from
 * the environment (base URLs, OPENAI_ORG_ID, OPENAI_PROJECT_ID, ANTHROPIC_AUTH_TOKEN, *_LOG, ...) is
 * set here, so the validated config decides. (OPENAI_CUSTOM_HEADERS / ANTHROPIC_CUSTOM_HEADERS have no
 * option and still add headers, which is what a gateway wanting extra headers needs anyway.) No SDK retries: a failed call is reported, and
 * auto mode's provider backoff decides when to try again. Timeouts and cancellation are per call
 * (callVendor); `timeout` here bounds the wait for response headers as well.
 */
export interface SdkClientOptions {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
}

/** SDK log lines go to the app's logger; `warn` so request bodies (feed data) are never logged. */
function sdkLogger(name: string) {
  const logger = new Logger(`LlmSdk:${name}`);
  const line = (message: string, args: unknown[]) => [message, ...args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : ''))].join(' ').trim();
  return {
    error: (message: string, ...args: unknown[]) => logger.error(line(message, args)),
    warn: (message: string, ...args: unknown[]) => logger.warn(line(message, args)),
    info: (message: string, ...args: unknown[]) => logger.log(line(message, args)),
    debug: (message: string, ...args: unknown[]) => logger.debug(line(message, args)),
  };
}

const common = (name: string, o: SdkClientOptions) => ({
  timeout: o.timeoutMs,
  maxRetries: 0,
  logLevel: 'warn' as const,
  logger: sdkLogger(name),
});

/** OpenAI, and the vendors whose chat completions API is OpenAI's (xAI, Mistral), at their base URL. */
export function openAiClient(name: string, o: SdkClientOptions): OpenAI {
  return new (openAiSdk().OpenAI)({ ...common(name, o), apiKey: o.apiKey, baseURL: o.baseUrl, organization: null, project: null, webhookSecret: null });
}

/** Azure OpenAI: `{endpoint}/openai/deployments/{deployment}/...?api-version=...` with the `api-key` header. */
export function azureOpenAiClient(o: SdkClientOptions & { deployment: string; apiVersion: string }): AzureOpenAI {
  return new (openAiSdk().AzureOpenAI)({
    ...common('azure-openai', o),
    apiKey: o.apiKey,
    // The base URL rather than `endpoint`: given no baseURL the SDK falls back to OPENAI_BASE_URL from
    // the environment, which is OpenAI's setting here, and refuses it next to an endpoint.
    baseURL: `${o.baseUrl}/openai`,
    deployment: o.deployment,
    apiVersion: o.apiVersion,
    organization: null,
    project: null,
    webhookSecret: null,
  });
}

export function anthropicClient(o: SdkClientOptions): Anthropic {
  return new (anthropicSdk().Anthropic)({ ...common('anthropic', o), apiKey: o.apiKey, authToken: null, baseURL: o.baseUrl, webhookKey: null, openTelemetry: false });
}
