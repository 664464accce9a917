import type { HubEvent } from '../hub/hub-event';

export type BusMessageKind = 'channel' | 'broadcast' | 'user' | 'terminate' | 'evict';

const KIND_CODE: Record<BusMessageKind, string> = { channel: 'c', broadcast: 'b', user: 'u', terminate: 't', evict: 'e' };
const KIND_BY_CODE: Record<string, BusMessageKind> = { c: 'channel', b: 'broadcast', u: 'user', t: 'terminate', e: 'evict' };

export interface BusMessage {
  /** The instance that published it (its own copies are ignored: it delivered locally already). */
  origin: string;
  kind: BusMessageKind;
  tenantId: string;
  /** The channel; for `user`, `terminate` and `evict`, the user id (an eviction's channel is its data); '' for a broadcast. */
  channel: string;
  event: HubEvent;
}

const SEP = '\n';
const FIELDS_BEFORE_DATA = 8;

/**
 * Newline-separated header fields, then the event's JSON data verbatim. None of the header fields can
 * contain a newline (ids, validated channel and event names, validated user ids) and JSON.stringify
 * never emits a raw one, so decoding needs no JSON parse: the data text is passed on untouched.
 */
export function encodeBusMessage(m: BusMessage): string {
  const e = m.event;
  return (
    m.origin + SEP + KIND_CODE[m.kind] + SEP + m.tenantId + SEP + m.channel + SEP +
    e.name + SEP + e.excludeSocketId + SEP + e.userId + SEP + e.publishedAt + SEP + e.dataJson
  );
}

/** The origin of an encoded message, without decoding the rest. */
export function busMessageOrigin(payload: string): string {
  return payload.slice(0, payload.indexOf(SEP));
}

export function decodeBusMessage(payload: string): BusMessage | null {
  const fields: string[] = [];
  let start = 0;
  for (let i = 0; i < FIELDS_BEFORE_DATA; i++) {
    const end = payload.indexOf(SEP, start);
    if (end === -1) return null;
    fields.push(payload.slice(start, end));
    start = end + 1;
  }
  const [origin, kind, tenantId, channel, name, excludeSocketId, userId, publishedAt] = fields;
  const decodedKind = KIND_BY_CODE[kind];
  if (!decodedKind) return null;
  return {
    origin,
    kind: decodedKind,
    tenantId,
    channel,
    event: { name, excludeSocketId, userId, publishedAt: Number(publishedAt) || Date.now(), dataJson: payload.slice(start) },
  };
}
