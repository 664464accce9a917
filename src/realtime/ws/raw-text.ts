import type { RawData } from 'ws';

/** A text frame's payload as a string, without copying a Buffer first (Buffer.from(buffer) copies). */
export function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString();
  return Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data).toString();
}
