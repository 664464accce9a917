/**
 * Compares two strings in time that depends only on their lengths: every UTF-16 unit is XORed into
 * one accumulator, with no early exit and no branch on the contents (equal strings are exactly those
 * with equal units). Done in JavaScript rather than through two Buffers and timingSafeEqual, which
 * cost three native calls per comparison on the paths that check a key on every request.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  // Past the end of a shorter `a`, charCodeAt gives NaN, which XORs as 0: the lengths already differ.
  for (let i = 0; i < b.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
