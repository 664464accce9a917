import { lookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { bareHost, checkResolvedHost, isPrivateAddress, UrlCheck } from '../webhooks/webhook-url-policy';

export type FeedUrlCheck = UrlCheck;

/** Syntax only: an absolute ws:// or wss:// URL naming a host, without credentials. */
export function parseFeedUrl(raw: unknown): FeedUrlCheck {
  if (typeof raw !== 'string' || raw.length === 0) return { ok: false, reason: 'url is required' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'url must be an absolute URL' };
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') return { ok: false, reason: 'url must use ws:// or wss://' };
  if (url.username || url.password) return { ok: false, reason: 'url must not contain credentials' };
  if (!url.hostname) return { ok: false, reason: 'url must name a host' };
  return { ok: true, url };
}

/**
 * Check when a feed is saved: syntax, then the host must resolve and, unless private hosts are
 * allowed (FEED_ALLOW_PRIVATE_HOSTS), to no private, loopback or link-local address. The same
 * address rule is applied again at every connect (guardedLookup), so a DNS change cannot bypass it.
 */
export async function checkFeedUrl(raw: unknown, allowPrivate: boolean): Promise<FeedUrlCheck> {
  const parsed = parseFeedUrl(raw);
  if (!parsed.ok) return parsed;
  const host = bareHost(parsed.url);
  if (!allowPrivate && isIP(host) && isPrivateAddress(host)) {
    return { ok: false, reason: `url host is a private, loopback or link-local address (${host})` };
  }
  return checkResolvedHost(parsed.url, allowPrivate);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for the upstream socket that refuses private addresses (used when they are not allowed). */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const allowed = addresses.filter((a) => !isPrivateAddress(a.address));
    if (allowed.length === 0) {
      const e: NodeJS.ErrnoException = new Error(`${hostname} resolves only to private, loopback or link-local addresses`);
      e.code = 'EFEEDPRIVATE';
      return callback(e, '');
    }
    if (options.all) return callback(null, allowed);
    callback(null, allowed[0].address, allowed[0].family);
  });
}

/** Whether a literal IP host must be refused at connect time. */
export function isRefusedLiteralHost(url: URL, allowPrivate: boolean): boolean {
  const host = bareHost(url);
  return !allowPrivate && isIP(host) !== 0 && isPrivateAddress(host);
}
