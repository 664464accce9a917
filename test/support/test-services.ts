import net from 'node:net';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/** Environment variables through which global setup hands the run's services to the test files. */
export const RUN_ENV = {
  databaseUrl: 'RELAYBASE_TEST_RUN_DATABASE_URL',
  adminDatabaseUrl: 'RELAYBASE_TEST_RUN_ADMIN_DATABASE_URL',
  redisUrl: 'RELAYBASE_TEST_RUN_REDIS_URL',
  redisPrefix: 'RELAYBASE_TEST_RUN_REDIS_PREFIX',
  databaseKind: 'RELAYBASE_TEST_RUN_DATABASE_KIND',
} as const;

/**
 * A key prefix of the run's own, for a suite whose apps must keep their BullMQ queues (on Redis or,
 * without REDIS_URL, in the Postgres schema named after the prefix) apart from other suites' apps
 * running in parallel with other settings.
 */
export function isolatedPrefix(label: string): string {
  return `${process.env[RUN_ENV.redisPrefix] ?? 'rbtest'}:${label}`;
}

/** Whether something accepts TCP connections at the URL's host and port. */
export function reachable(url: string, defaultPort: number, timeoutMs = 1_000): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port || defaultPort) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
