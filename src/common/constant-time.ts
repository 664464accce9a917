import { timingSafeEqual } from 'node:crypto';

/** Scratch space for short strings (at most 4 UTF-8 bytes per UTF-16 unit), used synchronously. */
const SHORT = 64;
const LEFT = Buffer.alloc(4 * SHORT);
const RIGHT = Buffer.alloc(4 * SHORT);

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  // Short strings (keys, tokens) are encoded into scratch buffers rather than two new ones per call.
  const short = a.length <= SHORT && b.length <= SHORT;
  const left = short ? LEFT.subarray(0, LEFT.write(a)) : Buffer.from(a);
  const right = short ? RIGHT.subarray(0, RIGHT.write(b)) : Buffer.from(b);
  if (left.length !== right.length) {
    // Still do a comparison of equal length so the time does not reveal where they differ.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
