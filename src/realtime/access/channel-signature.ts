import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../../common/constant-time';

/**
 * The proof for a private or presence channel: hex HMAC-SHA256 with the tenant secret over
 * `socketId:channel`, or `socketId:channel:channelData` when presence channel data is signed too
 * (the same string-to-sign as Pusher, so one signing helper serves both dialects).
 */
export function signChannel(secret: string, socketId: string, channel: string, channelData?: string): string {
  const subject = channelData === undefined ? `${socketId}:${channel}` : `${socketId}:${channel}:${channelData}`;
  return createHmac('sha256', secret).update(subject).digest('hex');
}

/** Accepts `<hex>` or Pusher's `<tenant key>:<hex>`; compares in constant time. */
export function verifyChannelSignature(
  secret: string,
  tenantKey: string,
  socketId: string,
  channel: string,
  auth: string,
  channelData?: string,
): boolean {
  const colon = auth.lastIndexOf(':');
  const signature = colon === -1 ? auth : auth.slice(colon + 1);
  if (colon !== -1 && auth.slice(0, colon) !== tenantKey) return false;
  return constantTimeEqual(signature.toLowerCase(), signChannel(secret, socketId, channel, channelData));
}
