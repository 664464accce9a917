import type { RawData } from 'ws';

/**
 * A frame's payload as one Buffer. `ws` hands a whole message as one Buffer (binaryType
 * 'nodebuffer'), which is returned as it is, not copied (Buffer.from(buffer) copies).
 */
export function rawBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** A text frame's payload as a string, decoded from rawBuffer. */
export function rawText(data: RawData): string {
  return rawBuffer(data).toString();
}
