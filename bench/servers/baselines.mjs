// Baseline servers, started by the harness in the same run as Relaybase. argv: mode port
//   ws       bare `ws` broadcast: payload serialised once, one ws.send per recipient
//   ws-cork  the same, with per-tick write coalescing (frame built once, cork/uncork per turn)
//   sio      socket.io 4.8: io.emit per publish
//   http     bare node:http: reads and parses the JSON body, answers {}
// Publishes arrive as `POST <any path>` with the Pusher HTTP API body {name, channels, data}.
import http from 'node:http';
import { WebSocketServer } from 'ws';

const [mode, portArg] = process.argv.slice(2);
const port = Number(portArg);

function readBody(req, cb) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => cb(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
}

function frameOf(text) {
  const payload = Buffer.from(text);
  const len = payload.length;
  const hdr = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const f = Buffer.allocUnsafe(hdr + len);
  f[0] = 0x81;
  if (hdr === 2) f[1] = len;
  else if (hdr === 4) {
    f[1] = 126;
    f.writeUInt16BE(len, 2);
  } else {
    f[1] = 127;
    f.writeUInt32BE(0, 2);
    f.writeUInt32BE(len, 6);
  }
  payload.copy(f, hdr);
  return f;
}

let onPublish = () => {};
const server = http.createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end('{"status":"ok"}');
  }
  readBody(req, (body) => {
    let msg;
    try {
      msg = JSON.parse(body.toString());
    } catch {
      res.writeHead(400);
      return res.end();
    }
    onPublish(msg);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
});
server.keepAliveTimeout = 60_000;

if (mode === 'ws' || mode === 'ws-cork') {
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const clients = new Set();
  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => undefined);
  });
  if (mode === 'ws') {
    onPublish = (msg) => {
      const buf = Buffer.from(JSON.stringify({ event: msg.name, channel: msg.channels[0], data: msg.data }));
      for (const ws of clients) ws.send(buf, { binary: false });
    };
  } else {
    let pending = [];
    const flush = () => {
      const list = pending;
      pending = [];
      for (const s of list) {
        s.corkedByBench = false;
        s.uncork();
      }
    };
    onPublish = (msg) => {
      const frame = frameOf(JSON.stringify({ event: msg.name, channel: msg.channels[0], data: msg.data }));
      for (const ws of clients) {
        const s = ws._socket;
        if (!s.corkedByBench) {
          s.corkedByBench = true;
          s.cork();
          if (pending.length === 0) setImmediate(flush);
          pending.push(s);
        }
        s.write(frame);
      }
    };
  }
} else if (mode === 'sio') {
  const { Server } = await import('socket.io');
  const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
  onPublish = (msg) => io.emit('bench', { channel: msg.channels[0], data: msg.data });
} else if (mode !== 'http') {
  throw new Error(`unknown mode ${mode}`);
}

server.listen(port, '127.0.0.1', () => process.send?.({ type: 'listening' }));
process.on('disconnect', () => process.exit(0));
