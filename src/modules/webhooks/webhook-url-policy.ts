import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Destinations a webhook may not reach unless the operator allows private ones: loopback, private,
 * link-local, CGNAT, multicast, reserved and documentation ranges, in IPv4 and IPv6.
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) return hexPairToIpv4(hex[1], hex[2]);
  const sixToFour = /^2002:([0-9a-f]{1,4}):([0-9a-f]{1,4}):/.exec(lower);
  if (sixToFour) return hexPairToIpv4(sixToFour[1], sixToFour[2]);
  return null;
}

function hexPairToIpv4(high: string, low: string): string {
  const h = parseInt(high, 16);
  const l = parseInt(low, 16);
  return `${h >> 8}.${h & 255}.${l >> 8}.${l & 255}`;
}

/** Whether the address is one a webhook must not reach by default. Unparseable counts as blocked. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const v4 = embeddedIpv4(address);
  if (v4 !== null) return blocked.check(v4, 'ipv4');
  return blocked.check(address, 'ipv6');
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Syntax only: an absolute http(s) URL without credentials in it. */
export function parseWebhookUrl(raw: string): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'url must be an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'url must use http or https' };
  if (url.username || url.password) return { ok: false, reason: 'url must not contain credentials (use headers)' };
  if (!url.hostname) return { ok: false, reason: 'url must name a host' };
  return { ok: true, url };
}

/** The hostname as DNS and `net` want it (IPv6 literals lose their brackets). */
export const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** Every address the host resolves to (the literal itself for an IP). */
export async function resolveHost(host: string): Promise<{ address: string; family: number }[]> {
  const family = isIP(host);
  if (family) return [{ address: host, family }];
  return lookup(host, { all: true, verbatim: true });
}

/**
 * Full check at configuration time: syntax, then the host must resolve and, unless private
 * destinations are allowed, none of its addresses may be private.
 */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<UrlCheck> {
  const parsed = parseWebhookUrl(raw);
  if (!parsed.ok) return parsed;
  return checkResolvedHost(parsed.url, allowPrivate);
}

/**
 * The address half of a URL check (webhooks and feeds): the host must resolve and, unless private
 * destinations are allowed, none of its addresses may be private, loopback or link-local.
 */
export async function checkResolvedHost(url: URL, allowPrivate: boolean): Promise<UrlCheck> {
  let addresses: { address: string }[];
  try {
    addresses = await resolveHost(bareHost(url));
  } catch {
    return { ok: false, reason: `url host ${url.hostname} does not resolve` };
  }
  if (addresses.length === 0) return { ok: false, reason: `url host ${url.hostname} does not resolve` };
  if (!allowPrivate) {
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return { ok: false, reason: `url resolves to a private, loopback or link-local address (${bad.address})` };
  }
  return { ok: true, url };
}
