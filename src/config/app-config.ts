import { z } from 'zod';
import { resolveEmbeddedSecrets } from './embedded-secrets';

/** Environment variables that Relaybase reads, with their defaults. `.env.example` mirrors this. */
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || protocols.some((p) => v.startsWith(p)), {
      message: `must start with ${protocols.join(' or ')}`,
    });

const secret = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v))
  .refine((v) => v === undefined || v.length >= 32, { message: 'must be at least 32 characters' });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(3000, 0, 65535),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CORS_ORIGIN: z.string().default('*'),
  BODY_LIMIT_BYTES: int(102_400, 1024),
  TRUST_PROXY: bool(false),
  DATABASE_URL: optionalUrl(['postgres://', 'postgresql://']),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  DATA_DIR: z.string().default('./data'),
  MIGRATIONS_RUN_ON_START: bool(true),
  EMBEDDED_SHARED_BUFFERS_MB: int(32, 1, 8192),
  REDIS_URL: optionalUrl(['redis://', 'rediss://']),
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]+$/).default('relaybase'),
  JWT_SECRET: secret,
  JWT_TTL_SECONDS: int(7 * 24 * 3600, 60),
  ENCRYPTION_KEY: secret,
  LOGIN_MAX_FAILURES_PER_EMAIL: int(5, 1),
  LOGIN_MAX_FAILURES_PER_IP: int(50, 1),
  LOGIN_LOCKOUT_SECONDS: int(900, 1),
  MAINTENANCE_INTERVAL_SECONDS: int(300, 1),
  TOKEN_QUOTA_PER_MONTH: int(1_000_000, 0),
  SWAGGER_ENABLED: bool(true),
  // --- Realtime (hub, WebSocket protocol, scale-out, metrics) ---
  WS_MAX_FRAME_BYTES: int(65_536, 256, 16 * 1024 * 1024),
  WS_MAX_MESSAGES_PER_SECOND: int(100, 1),
  WS_MAX_BUFFERED_BYTES: int(4 * 1024 * 1024, 16 * 1024),
  WS_MAX_CHANNEL_NAME_LENGTH: int(164, 8, 1024),
  WS_PING_INTERVAL_MS: int(30_000, 50),
  WS_AUTH_TIMEOUT_MS: int(10_000, 50),
  REALTIME_HEARTBEAT_INTERVAL_MS: int(5_000, 50),
  REALTIME_INSTANCE_TTL_MS: int(15_000, 100),
  SHUTDOWN_DRAIN_MS: int(3_000, 0, 6_000),
  METRICS_ENABLED: bool(true),
  METRICS_TOKEN: z.string().optional().transform((v) => (v === '' ? undefined : v)),
  // --- end realtime ---
  // --- Webhooks and process role ---
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  WEBHOOK_ALLOW_PRIVATE: bool(false),
  WEBHOOK_TIMEOUT_MS: int(5_000, 100, 60_000),
  WEBHOOK_RETRY_WINDOW_MS: int(300_000, 0),
  WEBHOOK_RETRY_BASE_DELAY_MS: int(1_000, 1),
  WEBHOOK_RETRY_MAX_DELAY_MS: int(60_000, 1),
  WEBHOOK_RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.2),
  WEBHOOK_FLAP_SUPPRESS_MS: int(3_000, 0, 60_000),
  WEBHOOK_BATCH_WINDOW_MS: int(250, 1, 10_000),
  WEBHOOK_BATCH_MAX_EVENTS: int(20, 1, 100),
  WEBHOOK_CONCURRENCY: int(10, 1, 200),
  WEBHOOK_ENDPOINT_CACHE_MS: int(5_000, 0, 300_000),
  // --- end webhooks ---
  // --- Chat (rooms, messages, receipts, typing, notifications) ---
  CHAT_MAX_PAYLOAD_BYTES: int(16_384, 16, 1024 * 1024),
  CHAT_TYPING_THROTTLE_MS: int(2_000, 0, 60_000),
  CHAT_BATCH_WINDOW_MS: int(0, 0, 1_000),
  CHAT_BATCH_MAX_MESSAGES: int(500, 1, 5_000),
  CHAT_BATCH_LANES: int(2, 1, 32),
  // --- end chat ---
  // --- Pusher dialect: per-tenant HTTP API rate limits (seed 000) ---
  RATE_LIMIT_TRIGGER_PER_MINUTE: int(1_000, 1),
  RATE_LIMIT_TRIGGER_PER_SECOND: int(100, 1),
  RATE_LIMIT_CHANNEL_INFO_PER_MINUTE: int(500, 1),
  RATE_LIMIT_CHANNEL_INFO_PER_SECOND: int(50, 1),
  RATE_LIMIT_CHANNEL_AUTH_PER_MINUTE: int(2_000, 1),
  RATE_LIMIT_CHANNEL_AUTH_PER_SECOND: int(200, 1),
  // --- Feeds (issue 7) ---
  FEED_ALLOW_PRIVATE_HOSTS: bool(false),
  LLM_CONTEXT_LIMIT: int(50, 1, 1_000),
  FEED_LEASE_TTL_MS: int(10_000, 300, 60_000),
  FEED_RECONNECT_BASE_DELAY_MS: int(1_000, 10, 60_000),
  FEED_RECONNECT_MAX_DELAY_MS: int(60_000, 10, 3_600_000),
  FEED_SILENCE_TIMEOUT_MS: int(60_000, 100, 3_600_000),
  FEED_CONNECT_TIMEOUT_MS: int(10_000, 100, 120_000),
  FEED_MAX_FRAME_BYTES: int(1_048_576, 1_024, 64 * 1024 * 1024),
  // --- end feeds ---
  // --- LLM (issue 8) ---
  DEFAULT_AI_PROVIDER: z.enum(['openai', 'azure-openai', 'anthropic', 'gemini', 'mistral', 'grok', 'ollama', 'builtin']).optional().or(z.literal('').transform(() => undefined)),
  LLM_BUILTIN_ENABLED: bool(true),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_MODEL: z.string().default('gpt-4o'),
  OPENAI_BASE_URL: optionalUrl(['http://', 'https://']),
  AZURE_OPENAI_ENDPOINT: optionalUrl(['http://', 'https://']),
  AZURE_OPENAI_API_KEY: z.string().optional(),
  AZURE_OPENAI_API_VERSION: z.string().default('2024-02-15-preview'),
  AZURE_OPENAI_DEPLOYMENT_NAME: z.string().default('gpt-4o'),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_MODEL: z.string().default('claude-3-5-sonnet-20241022'),
  ANTHROPIC_BASE_URL: optionalUrl(['http://', 'https://']),
  GOOGLE_API_KEY: z.string().optional(),
  GOOGLE_MODEL: z.string().default('gemini-1.5-flash'),
  GOOGLE_BASE_URL: optionalUrl(['http://', 'https://']),
  MISTRAL_API_KEY: z.string().optional(),
  MISTRAL_MODEL: z.string().default('mistral-large-latest'),
  MISTRAL_BASE_URL: optionalUrl(['http://', 'https://']),
  XAI_API_KEY: z.string().optional(),
  XAI_MODEL: z.string().default('grok-beta'),
  XAI_BASE_URL: optionalUrl(['http://', 'https://']),
  OLLAMA_BASE_URL: optionalUrl(['http://', 'https://']),
  OLLAMA_MODEL: z.string().default('llama3.2'),
  LLM_MAX_TOKENS: int(1024, 1, 1_000_000),
  LLM_TEMPERATURE: z.coerce.number().min(0).max(2).default(0.7),
  REQUEST_TIMEOUT_MS: int(15_000, 100, 600_000),
  LLM_QUERY_INTERVAL_SECONDS: int(10, 1, 3_600),
  LLM_SCHEDULER_SYNC_MS: int(10_000, 100, 3_600_000),
  LLM_BACKOFF_BASE_MS: int(5_000, 10, 3_600_000),
  LLM_BACKOFF_MAX_MS: int(300_000, 10, 86_400_000),
  // --- end LLM ---
});

export type Env = z.input<typeof envSchema>;

export interface AppConfig {
  readonly env: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly corsOrigin: string;
  readonly bodyLimitBytes: number;
  readonly trustProxy: boolean;
  readonly database: {
    /** Postgres URL; undefined means the embedded database under `dataDir`. */
    readonly url: string | undefined;
    readonly dataDir: string;
    readonly poolSize: number;
    readonly runMigrationsOnStart: boolean;
    /** Embedded mode: PGlite's shared_buffers, in MB (its own default, 128 MB, is resident from the start). */
    readonly embeddedSharedBuffersMb: number;
  };
  readonly redis: { readonly url: string | undefined; readonly keyPrefix: string };
  readonly auth: {
    readonly jwtSecret: string;
    readonly jwtTtlSeconds: number;
    readonly encryptionKey: string;
    readonly login: {
      readonly maxFailuresPerEmail: number;
      readonly maxFailuresPerIp: number;
      readonly lockoutSeconds: number;
    };
  };
  readonly jobs: { readonly maintenanceIntervalSeconds: number };
  /** Default monthly LLM token limit of an account. */
  readonly tokenQuotaPerMonth: number;
  readonly swagger: { readonly enabled: boolean };
  // --- Realtime (hub, WebSocket protocol, scale-out, metrics) ---
  readonly realtime: {
    /** Largest inbound WebSocket message, and largest event payload a publish may carry. */
    readonly maxFrameBytes: number;
    /** Inbound messages per second per connection; more are dropped with one error per second. */
    readonly maxMessagesPerSecond: number;
    /** Unsent bytes a connection may hold; past this it is a slow consumer and is closed. */
    readonly maxBufferedBytes: number;
    readonly maxChannelNameLength: number;
    /** Server ping period; a connection that has not answered the previous ping is closed. */
    readonly pingIntervalMs: number;
    /** How long `/ws` without a token waits for the `authenticate` message. */
    readonly authTimeoutMs: number;
    /** Period of this instance's heartbeat in Redis and of its sweep for dead instances. */
    readonly heartbeatIntervalMs: number;
    /** An instance whose heartbeat is older than this is dead; its entries are removed. */
    readonly instanceTtlMs: number;
    /** On shutdown, how long connections get to close after being told to reconnect. */
    readonly shutdownDrainMs: number;
  };
  readonly metrics: { readonly enabled: boolean; readonly token: string | undefined };
  // --- end realtime ---
  // --- Webhooks and process role ---
  /** `all` serves HTTP and runs queue workers; `api` only enqueues; `worker` runs workers without HTTP. */
  readonly role: 'all' | 'api' | 'worker';
  readonly webhooks: {
    /** Allow endpoints on private, loopback and link-local addresses (off in production). */
    readonly allowPrivate: boolean;
    /** Time limit of one delivery attempt (connect to end of response). */
    readonly timeoutMs: number;
    /** A delivery keeps being retried until this long after its first attempt, then is dead. */
    readonly retryWindowMs: number;
    /** First retry delay; doubles per attempt up to retryMaxDelayMs. */
    readonly retryBaseDelayMs: number;
    readonly retryMaxDelayMs: number;
    /** Fraction of each delay that is randomised (0..1). */
    readonly retryJitter: number;
    /** How long channel_vacated / member_removed wait for the channel or member to come back. */
    readonly flapSuppressMs: number;
    /** Batching endpoints: how long events are gathered, and how many go in one request at most. */
    readonly batchWindowMs: number;
    readonly batchMaxEvents: number;
    /** Deliveries one worker process sends at the same time. */
    readonly concurrency: number;
    /** How long an instance may use its cached list of a tenant's endpoints. */
    readonly endpointCacheMs: number;
  };
  // --- end webhooks ---
  // --- Chat (rooms, messages, receipts, typing, notifications) ---
  readonly chat: {
    /** Largest message payload and notification data, serialised as JSON. */
    readonly maxPayloadBytes: number;
    /** A user's `isTyping: true` in a room is relayed at most once per this period. */
    readonly typingThrottleMs: number;
    /**
     * Group commit: messages sent while a batch commits, or within this window of the first one
     * (0: the same event-loop turn), are stored by one multi-row INSERT and acknowledged together.
     */
    readonly batchWindowMs: number;
    /** Most messages in one batch insert. */
    readonly batchMaxMessages: number;
    /**
     * Batches that may commit at the same time, each for its own share of the rooms (a room's
     * messages always go through the same lane, in order). Each uses a database connection.
     */
    readonly batchLanes: number;
  };
  // --- end chat ---
  /** Per-tenant rate limits of the Pusher HTTP API and channel authorisation, counted across instances. */
  readonly rateLimits: {
    readonly trigger: { readonly perMinute: number; readonly perSecond: number };
    readonly channelInfo: { readonly perMinute: number; readonly perSecond: number };
    readonly channelAuth: { readonly perMinute: number; readonly perSecond: number };
  };
  // --- Feeds (issue 7) ---
  readonly feeds: {
    /** Allow upstream feed URLs on private, loopback and link-local addresses (off in production). */
    readonly allowPrivateHosts: boolean;
    /** Entries kept per feed and per topic for LLM context (LLM_CONTEXT_LIMIT). */
    readonly contextLimit: number;
    /** Lifetime of an instance's lease on a feed; renewed every third of it, so takeover is within ~4/3 of it. */
    readonly leaseTtlMs: number;
    /** Reconnect backoff: the base doubles per failed attempt up to the max, with jitter. */
    readonly reconnectBaseDelayMs: number;
    readonly reconnectMaxDelayMs: number;
    /** An upstream that sends nothing for this long is treated as dead and reconnected. */
    readonly silenceTimeoutMs: number;
    readonly connectTimeoutMs: number;
    /** Upstream frames larger than this are dropped and counted. */
    readonly maxFrameBytes: number;
  };
  // --- end feeds ---
  // --- LLM (issue 8) ---
  readonly llm: LlmConfig;
  // --- end LLM ---
}

// --- LLM (issue 8) ---
export type LlmProviderName = 'openai' | 'azure-openai' | 'anthropic' | 'gemini' | 'mistral' | 'grok' | 'ollama' | 'builtin';

/** One vendor's settings; a provider is configured when its key (Ollama: its URL) is set. */
export interface LlmVendorConfig {
  readonly apiKey: string | undefined;
  readonly model: string;
  /** Where the vendor's API lives (a proxy or gateway may stand in). */
  readonly baseUrl: string;
  readonly configured: boolean;
}

export interface LlmConfig {
  /** DEFAULT_AI_PROVIDER; undefined: the first configured provider, else builtin. */
  readonly defaultProvider: LlmProviderName | undefined;
  readonly builtinEnabled: boolean;
  readonly openai: LlmVendorConfig;
  readonly azure: LlmVendorConfig & { readonly apiVersion: string; readonly deployment: string };
  readonly anthropic: LlmVendorConfig;
  readonly gemini: LlmVendorConfig;
  readonly mistral: LlmVendorConfig;
  readonly grok: LlmVendorConfig;
  readonly ollama: LlmVendorConfig;
  readonly maxTokens: number;
  readonly temperature: number;
  /** Time limit of one provider request (connect to the end of the answer). */
  readonly requestTimeoutMs: number;
  /** Auto-mode interval of a topic-routed feed whose queryInterval is null. */
  readonly queryIntervalSeconds: number;
  /** How often each instance reconciles the repeatable analysis jobs with the feeds. */
  readonly schedulerSyncMs: number;
  /** Provider backoff after a failure: doubles per consecutive failure up to the max (or Retry-After). */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

const vendor = (apiKey: string | undefined, model: string, baseUrl: string | undefined, fallback: string): LlmVendorConfig => {
  const key = apiKey?.trim() || undefined;
  return { apiKey: key, model, baseUrl: (baseUrl ?? fallback).replace(/\/+$/, ''), configured: key !== undefined };
};
// --- end LLM ---

export class ConfigError extends Error {}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/**
 * Builds the one configuration object from an environment. Throws a ConfigError naming every bad
 * variable. Embedded installs (no DATABASE_URL) that leave the secrets unset get generated ones,
 * kept under DATA_DIR so tokens and encrypted rows survive restarts; full mode must set them.
 */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  let jwtSecret = e.JWT_SECRET;
  let encryptionKey = e.ENCRYPTION_KEY;
  if (!jwtSecret || !encryptionKey) {
    if (e.DATABASE_URL) {
      const missing = [!jwtSecret && 'JWT_SECRET', !encryptionKey && 'ENCRYPTION_KEY'].filter(Boolean);
      throw new ConfigError(
        `Invalid configuration:\n${missing.map((m) => `  ${m}: required when DATABASE_URL is set (at least 32 characters)`).join('\n')}`,
      );
    }
    const generated = resolveEmbeddedSecrets(e.DATA_DIR);
    jwtSecret ??= generated.jwtSecret;
    encryptionKey ??= generated.encryptionKey;
  }
  return deepFreeze<AppConfig>({
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    corsOrigin: e.CORS_ORIGIN,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    trustProxy: e.TRUST_PROXY,
    database: {
      url: e.DATABASE_URL,
      dataDir: e.DATA_DIR,
      poolSize: e.DATABASE_POOL_SIZE,
      runMigrationsOnStart: e.MIGRATIONS_RUN_ON_START,
      embeddedSharedBuffersMb: e.EMBEDDED_SHARED_BUFFERS_MB,
    },
    redis: { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX },
    auth: {
      jwtSecret,
      jwtTtlSeconds: e.JWT_TTL_SECONDS,
      encryptionKey,
      login: {
        maxFailuresPerEmail: e.LOGIN_MAX_FAILURES_PER_EMAIL,
        maxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
        lockoutSeconds: e.LOGIN_LOCKOUT_SECONDS,
      },
    },
    jobs: { maintenanceIntervalSeconds: e.MAINTENANCE_INTERVAL_SECONDS },
    tokenQuotaPerMonth: e.TOKEN_QUOTA_PER_MONTH,
    swagger: { enabled: e.SWAGGER_ENABLED },
    // --- Realtime ---
    realtime: {
      maxFrameBytes: e.WS_MAX_FRAME_BYTES,
      maxMessagesPerSecond: e.WS_MAX_MESSAGES_PER_SECOND,
      maxBufferedBytes: e.WS_MAX_BUFFERED_BYTES,
      maxChannelNameLength: e.WS_MAX_CHANNEL_NAME_LENGTH,
      pingIntervalMs: e.WS_PING_INTERVAL_MS,
      authTimeoutMs: e.WS_AUTH_TIMEOUT_MS,
      heartbeatIntervalMs: e.REALTIME_HEARTBEAT_INTERVAL_MS,
      instanceTtlMs: e.REALTIME_INSTANCE_TTL_MS,
      shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
    },
    metrics: { enabled: e.METRICS_ENABLED, token: e.METRICS_TOKEN },
    // --- Webhooks and process role ---
    role: e.ROLE,
    webhooks: {
      allowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retryWindowMs: e.WEBHOOK_RETRY_WINDOW_MS,
      retryBaseDelayMs: e.WEBHOOK_RETRY_BASE_DELAY_MS,
      retryMaxDelayMs: Math.max(e.WEBHOOK_RETRY_MAX_DELAY_MS, e.WEBHOOK_RETRY_BASE_DELAY_MS),
      retryJitter: e.WEBHOOK_RETRY_JITTER,
      flapSuppressMs: e.WEBHOOK_FLAP_SUPPRESS_MS,
      batchWindowMs: e.WEBHOOK_BATCH_WINDOW_MS,
      batchMaxEvents: e.WEBHOOK_BATCH_MAX_EVENTS,
      concurrency: e.WEBHOOK_CONCURRENCY,
      endpointCacheMs: e.WEBHOOK_ENDPOINT_CACHE_MS,
    },
    // --- end webhooks ---
    rateLimits: {
      trigger: { perMinute: e.RATE_LIMIT_TRIGGER_PER_MINUTE, perSecond: e.RATE_LIMIT_TRIGGER_PER_SECOND },
      channelInfo: { perMinute: e.RATE_LIMIT_CHANNEL_INFO_PER_MINUTE, perSecond: e.RATE_LIMIT_CHANNEL_INFO_PER_SECOND },
      channelAuth: { perMinute: e.RATE_LIMIT_CHANNEL_AUTH_PER_MINUTE, perSecond: e.RATE_LIMIT_CHANNEL_AUTH_PER_SECOND },
    },
    // --- Feeds (issue 7) ---
    feeds: {
      allowPrivateHosts: e.FEED_ALLOW_PRIVATE_HOSTS,
      contextLimit: e.LLM_CONTEXT_LIMIT,
      leaseTtlMs: e.FEED_LEASE_TTL_MS,
      reconnectBaseDelayMs: e.FEED_RECONNECT_BASE_DELAY_MS,
      reconnectMaxDelayMs: Math.max(e.FEED_RECONNECT_MAX_DELAY_MS, e.FEED_RECONNECT_BASE_DELAY_MS),
      silenceTimeoutMs: e.FEED_SILENCE_TIMEOUT_MS,
      connectTimeoutMs: e.FEED_CONNECT_TIMEOUT_MS,
      maxFrameBytes: e.FEED_MAX_FRAME_BYTES,
    },
    // --- end feeds ---
    // --- LLM (issue 8) ---
    llm: {
      defaultProvider: e.DEFAULT_AI_PROVIDER,
      builtinEnabled: e.LLM_BUILTIN_ENABLED,
      openai: vendor(e.OPENAI_API_KEY, e.OPENAI_MODEL, e.OPENAI_BASE_URL, 'https://api.openai.com/v1'),
      azure: {
        ...vendor(e.AZURE_OPENAI_API_KEY, e.AZURE_OPENAI_DEPLOYMENT_NAME, e.AZURE_OPENAI_ENDPOINT, 'https://invalid.openai.azure.com'),
        configured: Boolean(e.AZURE_OPENAI_API_KEY?.trim() && e.AZURE_OPENAI_ENDPOINT),
        apiVersion: e.AZURE_OPENAI_API_VERSION,
        deployment: e.AZURE_OPENAI_DEPLOYMENT_NAME,
      },
      anthropic: vendor(e.ANTHROPIC_API_KEY, e.ANTHROPIC_MODEL, e.ANTHROPIC_BASE_URL, 'https://api.anthropic.com'),
      gemini: vendor(e.GOOGLE_API_KEY, e.GOOGLE_MODEL, e.GOOGLE_BASE_URL, 'https://generativelanguage.googleapis.com'),
      mistral: vendor(e.MISTRAL_API_KEY, e.MISTRAL_MODEL, e.MISTRAL_BASE_URL, 'https://api.mistral.ai/v1'),
      grok: vendor(e.XAI_API_KEY, e.XAI_MODEL, e.XAI_BASE_URL, 'https://api.x.ai/v1'),
      ollama: {
        ...vendor(undefined, e.OLLAMA_MODEL, e.OLLAMA_BASE_URL, 'http://localhost:11434'),
        configured: e.OLLAMA_BASE_URL !== undefined || e.DEFAULT_AI_PROVIDER === 'ollama',
      },
      maxTokens: e.LLM_MAX_TOKENS,
      temperature: e.LLM_TEMPERATURE,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      queryIntervalSeconds: e.LLM_QUERY_INTERVAL_SECONDS,
      schedulerSyncMs: e.LLM_SCHEDULER_SYNC_MS,
      backoffBaseMs: e.LLM_BACKOFF_BASE_MS,
      backoffMaxMs: Math.max(e.LLM_BACKOFF_MAX_MS, e.LLM_BACKOFF_BASE_MS),
    },
    // --- end LLM ---
    // --- Chat ---
    chat: {
      maxPayloadBytes: e.CHAT_MAX_PAYLOAD_BYTES,
      typingThrottleMs: e.CHAT_TYPING_THROTTLE_MS,
      batchWindowMs: e.CHAT_BATCH_WINDOW_MS,
      batchMaxMessages: e.CHAT_BATCH_MAX_MESSAGES,
      batchLanes: e.CHAT_BATCH_LANES,
    },
    // --- end chat ---
  });
}
