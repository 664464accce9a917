/**
 * An unmasked, final, uncompressed WebSocket text frame (RFC 6455 §5.2) holding `text`, in one
 * Buffer: header and UTF-8 payload written into a single allocation, so a publish builds its frame
 * once and every recipient's socket gets the same Buffer. Equivalent to ws's
 * `Sender.frame(buf, {fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false})` concatenated
 * (checked in text-frame.spec.ts); valid only while permessage-deflate is off, which the gateway sets.
 */
export function encodeTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81; // FIN + opcode 1 (text)
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, header, 'utf8');
  return frame;
}
