// A deliberately minimal WebSocket client for load generation: handshake written and read by hand, then frame
// headers parsed by hand. It counts text frames without decoding them (so one client core can take
// ~1M deliveries/s) and, on sampled connections, reads the publish timestamp out of each frame.
// The same client speaks to every server under test (Relaybase, bare ws, socket.io via engine.io),
// so client-side cost is identical across baselines.
import net from 'node:net';
import { randomBytes } from 'node:crypto';

const TS = /\\?"t\\?":(\d+(?:\.\d+)?)/;

export function now() {
  return performance.timeOrigin + performance.now();
}

/**
 * A client text frame. The mask key is zero (XOR with zero leaves the payload as it is): the server
 * sees a masked frame as the protocol requires, and the client spends nothing on masking, so one
 * client core can drive the load. (RFC 6455 wants unpredictable keys against proxy cache
 * poisoning; a load generator on loopback needs none.)
 */
export function maskedText(text) {
  const len = Buffer.byteLength(text);
  const header = len < 126 ? 2 : 4;
  const frame = Buffer.allocUnsafe(header + 4 + len);
  frame[0] = 0x81;
  if (header === 2) frame[1] = 0x80 | len;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(len, 2);
  }
  frame.writeUInt32BE(0, header);
  frame.write(text, header + 4);
  return frame;
}

/** Opens `n` connections with `open(i)`, at most `concurrency` at a time; resolves with the milliseconds it took. */
export async function openAll(n, concurrency, open) {
  const t0 = now();
  let next = 0;
  const worker = async () => {
    while (next < n) await open(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return now() - t0;
}

/**
 * Runs a load client's set-up (`setup` resolves with the milliseconds it took), tells the
 * orchestrator `ready` or `error`, and never outlives the orchestrator.
 */
export function startClient(setup, conns) {
  setup().then(
    (ms) => process.send({ type: 'ready', n: conns.length, setupMs: ms }),
    (e) => {
      process.send({ type: 'error', message: String(e?.message ?? e), n: conns.length });
      setTimeout(() => process.exit(1), 100);
    },
  );
  process.on('disconnect', () => process.exit(0));
}

/** 16 random bytes, base64: the handshake key. Servers only echo its hash, so a few keys, reused, do. */
const KEYS = Array.from({ length: 64 }, () => randomBytes(16).toString('base64'));
let keySeq = 0;
const CRLF2 = Buffer.from('\r\n\r\n');
const HTTP_101 = 'HTTP/1.1 101';

/**
 * Opens one connection: a plain TCP socket, the upgrade request written by hand and the `101`
 * response read by hand (node:http's client, agent and parser cost more per connection than the
 * servers under test spend on their side of the handshake; see bench/README.md). onFrame(conn, buf,
 * start, end) gets every text frame.
 */
export function connect({ host = '127.0.0.1', port, path, decode = false, onFrame }) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: ${KEYS[keySeq++ & 63]}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    let pending = null;
    const timer = setTimeout(() => fail(new Error('handshake timeout')), 30_000);
    const fail = (e) => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    const onError = (e) => fail(e);
    const onClose = () => fail(new Error('closed during the handshake'));
    const onHandshake = (chunk) => {
      const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
      const end = buf.indexOf(CRLF2);
      if (end === -1) {
        pending = buf;
        return;
      }
      clearTimeout(timer);
      socket.off('data', onHandshake);
      socket.off('error', onError);
      socket.off('close', onClose);
      const status = buf.toString('latin1', 0, Math.min(end, 64));
      if (!status.startsWith(HTTP_101)) {
        socket.destroy();
        return reject(new Error(`upgrade refused: ${status.split('\r\n')[0]}`));
      }
      const head = end + 4 < buf.length ? buf.subarray(end + 4) : null;
      resolve(open(socket, head, decode, onFrame));
    };
    socket.on('data', onHandshake);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

function open(socket, head, decode, onFrame) {
  const conn = { socket, frames: 0, decode, buf: head, closed: false };
  conn.send = (text) => socket.write(maskedText(text));
  const feed = (chunk) => {
    let buf = conn.buf ? (chunk.length ? Buffer.concat([conn.buf, chunk]) : conn.buf) : chunk;
    let off = 0;
    const n = buf.length;
    while (n - off >= 2) {
      const b1 = buf[off + 1] & 0x7f;
      let hdr = 2;
      let len = b1;
      if (b1 === 126) {
        if (n - off < 4) break;
        len = buf.readUInt16BE(off + 2);
        hdr = 4;
      } else if (b1 === 127) {
        if (n - off < 10) break;
        len = buf.readUInt32BE(off + 6);
        hdr = 10;
      }
      if (n - off < hdr + len) break;
      const op = buf[off] & 0x0f;
      if (op === 1) {
        conn.frames++;
        if (onFrame) onFrame(conn, buf, off + hdr, off + hdr + len);
      } else if (op === 9) {
        // ping: answer pong with the same payload
        const p = buf.subarray(off + hdr, off + hdr + len);
        const f = Buffer.alloc(6 + p.length);
        f[0] = 0x8a;
        f[1] = 0x80 | p.length;
        for (let i = 0; i < p.length; i++) f[6 + i] = p[i];
        socket.write(f);
      } else if (op === 8) {
        conn.closed = true;
      }
      off += hdr + len;
    }
    conn.buf = off < n ? buf.subarray(off) : null;
  };
  socket.on('data', feed);
  // Frames that arrived with the upgrade response: parse them once the caller has its handlers.
  if (conn.buf) setImmediate(() => feed(Buffer.alloc(0)));
  socket.on('close', () => (conn.closed = true));
  socket.on('error', () => (conn.closed = true));
  return conn;
}

/** The publish timestamp inside a frame (Pusher's data is a JSON string, so quotes may be escaped). */
export function timestampOf(buf, start, end) {
  const s = buf.toString('latin1', start, Math.min(end, start + 200));
  const m = TS.exec(s);
  return m ? Number(m[1]) : NaN;
}

export class Histogram {
  constructor() {
    this.v = [];
  }
  add(x) {
    this.v.push(x);
  }
  get count() {
    return this.v.length;
  }
  pct(p) {
    if (this.v.length === 0) return NaN;
    const s = Float64Array.from(this.v).sort();
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
  }
}
