import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { bareHost, isPrivateAddress, parseWebhookUrl, resolveHost } from './webhook-url-policy';

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
}

export interface WebhookAttemptResult {
  /** 2xx answered. */
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
}

/**
 * One POST. The host is resolved and checked here, at send time, and the connection is made to
 * exactly the addresses checked (a pinned lookup), so a DNS answer that changes between the
 * configuration check and the delivery (rebinding) cannot reach a private address. Redirects are
 * not followed: a 3xx is a failure like any other non-2xx.
 */
export async function sendWebhook(req: WebhookRequest): Promise<WebhookAttemptResult> {
  const started = Date.now();
  const done = (statusCode: number | null, error: string | null): WebhookAttemptResult => ({
    ok: statusCode !== null && statusCode >= 200 && statusCode < 300,
    statusCode,
    error,
    latencyMs: Date.now() - started,
  });
  const parsed = parseWebhookUrl(req.url);
  if (!parsed.ok) return done(null, parsed.reason);
  const url = parsed.url;
  const deadline = started + req.timeoutMs;

  let addresses: { address: string; family: number }[];
  try {
    addresses = await withDeadline(resolveHost(bareHost(url)), deadline, 'DNS lookup timed out');
  } catch (e) {
    return done(null, `DNS: ${(e as Error).message}`);
  }
  if (!req.allowPrivate) addresses = addresses.filter((a) => !isPrivateAddress(a.address));
  if (addresses.length === 0) return done(null, 'Refused: the host resolves only to private, loopback or link-local addresses');

  const pinned: LookupFunction = (_host, options, callback) => {
    const cb = callback as (err: Error | null, address: unknown, family?: number) => void;
    if ((options as { all?: boolean }).all) cb(null, addresses);
    else cb(null, addresses[0].address, addresses[0].family);
  };

  return new Promise<WebhookAttemptResult>((resolve) => {
    let settled = false;
    const finish = (statusCode: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(statusCode, error));
    };
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...req.headers, 'Content-Length': String(Buffer.byteLength(req.body)) },
        lookup: pinned,
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? null;
        // The body is not used; drain it so the socket closes cleanly.
        res.resume();
        res.on('end', () => finish(status, status !== null && status >= 200 && status < 300 ? null : `HTTP ${status}`));
        res.on('error', (e) => finish(status, e.message));
      },
    );
    const timer = setTimeout(() => {
      finish(null, `Timed out after ${req.timeoutMs} ms`);
      request.destroy();
    }, Math.max(1, deadline - Date.now()));
    request.on('error', (e) => finish(null, e.message));
    request.end(req.body);
  });
}

function withDeadline<T>(p: Promise<T>, deadline: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), Math.max(1, deadline - Date.now()));
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
