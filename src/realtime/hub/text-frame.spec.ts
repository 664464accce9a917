import type { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { encodeTextFrame } from './text-frame';

// ws exports Sender and Receiver at runtime (not in its types): they are the reference here.
const { Sender, Receiver } = WebSocket as unknown as {
  Sender: { frame(data: Buffer, options: object): Buffer[] };
  Receiver: new (options: object) => EventEmitter & { write(chunk: Buffer): void };
};

const reference = (text: string): Buffer =>
  Buffer.concat(Sender.frame(Buffer.from(text), { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false }));

describe('encodeTextFrame', () => {
  it.each([0, 1, 125, 126, 1000, 65_535, 65_536, 200_000])('matches ws for a %d-byte payload', (size) => {
    const text = 'a'.repeat(size);
    expect(encodeTextFrame(text).equals(reference(text))).toBe(true);
  });

  it('counts UTF-8 bytes, not characters', () => {
    const text = '{"msg":"héllo — ✓ 🚀"}'.repeat(10);
    expect(encodeTextFrame(text).equals(reference(text))).toBe(true);
  });

  it('is read back by the ws receiver as the same text', (done) => {
    const receiver = new Receiver({ isServer: false });
    const text = JSON.stringify({ type: 'notification', data: 'x'.repeat(70_000) });
    receiver.on('message', (data: Buffer, isBinary: boolean) => {
      expect(isBinary).toBe(false);
      expect(data.toString()).toBe(text);
      done();
    });
    receiver.write(encodeTextFrame(text));
  });
});
