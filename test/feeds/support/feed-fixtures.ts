import { randomBytes } from 'node:crypto';
import type { TestAccount } from '../../factories/account.factory';
import type { HttpClient } from '../../support/http-client';

/** What every feeds test app needs: loopback upstreams allowed, short leases and backoff. */
export const FEED_TEST_ENV: Record<string, string> = {
  FEED_ALLOW_PRIVATE_HOSTS: 'true',
  FEED_LEASE_TTL_MS: '1500',
  FEED_RECONNECT_BASE_DELAY_MS: '100',
  FEED_RECONNECT_MAX_DELAY_MS: '1600',
  FEED_MAX_FRAME_BYTES: '4096',
};

/**
 * Full-mode feeds apps get a Redis prefix of their own: every app of the test run (other suites'
 * too) is otherwise one cluster that competes for feed leases, and theirs refuse loopback upstreams.
 */
export const isolatedPrefix = () => `rbfeeds${randomBytes(4).toString('hex')}`;

export async function createFeed(http: HttpClient, account: TestAccount, body: Record<string, unknown>) {
  const res = await http.post('/api/marketplace/feeds', { name: 'Test feed', category: 'finance', ...body }, { token: account.token });
  if (res.status !== 201) throw new Error(`create feed failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data as Record<string, any> & { _id: string };
}

export const put = (http: HttpClient, path: string, body: unknown, token: string) => http.request('PUT', path, { body, token });
