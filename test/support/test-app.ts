import 'reflect-metadata';
import { AddressInfo } from 'node:net';
import { createApp, RelaybaseApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { HttpClient } from './http-client';
import { RUN_ENV } from './test-services';

export const TEST_JWT_SECRET = 'test-jwt-secret-that-is-long-enough-0123456789';
export const TEST_ENCRYPTION_KEY = 'test-encryption-key-that-is-long-enough-0123456789';

export interface TestApp extends RelaybaseApp {
  config: AppConfig;
  baseUrl: string;
  http: HttpClient;
}

export const hasRedis = (): boolean => Boolean(process.env[RUN_ENV.redisUrl]);

/** The environment of a full-mode test app on this run's database and (when there is one) Redis. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: process.env[RUN_ENV.databaseUrl],
    REDIS_URL: process.env[RUN_ENV.redisUrl],
    REDIS_KEY_PREFIX: process.env[RUN_ENV.redisPrefix] ?? 'rbtest',
    JWT_SECRET: TEST_JWT_SECRET,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    // Global setup has migrated the run's database; apps started in parallel must not race to do it.
    MIGRATIONS_RUN_ON_START: 'false',
    ...overrides,
  };
}

/** Starts the real application, listening on a loopback port. */
export async function startTestApp(overrides: Record<string, string | undefined> = {}): Promise<TestApp> {
  const config = loadConfig(testEnv(overrides));
  const relaybase = await createApp(config);
  await relaybase.app.listen(0, '127.0.0.1');
  const { port } = relaybase.app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return { ...relaybase, config, baseUrl, http: new HttpClient(baseUrl) };
}
