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
}

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
  });
}
