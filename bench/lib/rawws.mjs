// A deliberately minimal WebSocket client for load generation: handshake with node:http, then frame
// headers parsed by hand. It counts text frames without decoding them (so one client core can take
// ~1M deliveries/s) and, on sampled connections, reads the publish timestamp out of each frame.
// The same client speaks to every server under test (Relaybase, bare ws, socket.io via engine.io),
// so client-side cost is identical across baselines.
import http from 'node:http';
import { randomBytes } from 'node:crypto';

const TS = /\\?"t\\?":(\d+(?:\.\d+)?)/;

export function now() {
  return performance.timeOrigin + performance.now();
}

export function maskedText(text) {
  const payload = Buffer.from(text);
  const len = payload.length;
  const header = len < 126 ? 2 : 4;
  const frame = Buffer.allocUnsafe(header + 4 + len);
  frame[0] = 0x81;
  if (header === 2) frame[1] = 0x80 | len;
  else {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(len, 2);
  }
  const mask = randomBytes(4);
  mask.copy(frame, header);
  for (let i = 0; i < len; i++) frame[header + 4 + i] = payload[i] ^ mask[i & 3];
  return frame;
}

/**
 * Opens one connection. handlers: onText(conn, buf, start, end) for text frames (only when
 * conn.decode is true; otherwise frames are only counted), onOpen(conn).
 */
export function connect({ host = '127.0.0.1', port, path, decode = false, onFrame, agent = false }) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host,
      port,
      path,
      agent,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        'Sec-WebSocket-Version': '13',
      },
    });
    req.setTimeout(30_000, () => req.destroy(new Error('handshake timeout')));
    req.on('error', reject);
    req.on('response', (res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    req.on('upgrade', (_res, socket, head) => {
      socket.setNoDelay(true);
      const conn = { socket, frames: 0, decode, buf: head && head.length ? head : null, closed: false };
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
      resolve(conn);
    });
    req.end();
  });
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
