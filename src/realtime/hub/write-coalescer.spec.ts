import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { HubConnection } from './hub-connection';
import { encodeTextFrame } from './text-frame';
import { WriteCoalescer } from './write-coalescer';

/** Real sockets on loopback: `n` server-side connections and the client that reads each. */
async function connections(n: number): Promise<{ conns: HubConnection[]; received: string[][]; clients: WebSocket[]; close(): Promise<void> }> {
  const server: Server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const conns: HubConnection[] = [];
  wss.on('connection', (ws, req) => conns.push(new HubConnection(String(conns.length), 0, ws, req.socket as Socket)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const received: string[][] = [];
  const clients: WebSocket[] = [];
  for (let i = 0; i < n; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    const list: string[] = [];
    received.push(list);
    clients.push(ws);
    ws.on('message', (data) => list.push(data.toString()));
    await new Promise((r) => ws.once('open', r));
  }
  while (conns.length < n) await new Promise((r) => setImmediate(r));
  // Server-side order follows connection order: match each HubConnection to its client's list.
  return {
    conns,
    received,
    clients,
    close: async () => {
      for (const ws of clients) ws.terminate();
      await new Promise((r) => wss.close(r));
      await new Promise((r) => server.close(r));
    },
  };
}

const turn = () => new Promise((r) => setImmediate(r));
const until = async (done: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('WriteCoalescer', () => {
  it('keeps each socket in publish order when a flush is written in slices and publishes arrive between them', async () => {
    const net = await connections(200);
    let slices = 0;
    // sliceMs 0: yields to I/O after every 32 sockets, so publishes land between slices.
    const coalescer = new WriteCoalescer(64 * 1024 * 1024, () => undefined, () => slices++, undefined, 0);
    try {
      let seq = 0;
      for (let round = 0; round < 20; round++) {
        for (let k = 0; k < 5; k++) {
          const frame = encodeTextFrame(String(++seq));
          for (const conn of net.conns) expect(coalescer.write(conn, frame)).toBe(true);
        }
        await turn();
      }
      await until(() => net.received.every((r) => r.length === seq));
      const expected = Array.from({ length: seq }, (_, i) => String(i + 1));
      for (const r of net.received) expect(r).toEqual(expected);
      // 200 sockets per cycle, 32 per slice: every cycle took several turns.
      expect(slices).toBeGreaterThan(20);
    } finally {
      await net.close();
    }
  });

  it('gives each socket its own frames when their lists differ (an excluded socket, a second channel)', async () => {
    const net = await connections(4);
    const coalescer = new WriteCoalescer(64 * 1024 * 1024, () => undefined, () => undefined);
    try {
      const [a, b, c, d] = net.conns;
      const f = (t: string) => encodeTextFrame(t);
      const one = f('one');
      const two = f('two');
      const other = f('other');
      for (const conn of [a, b, c, d]) coalescer.write(conn, one);
      for (const conn of [a, c, d]) coalescer.write(conn, two); // b excluded
      coalescer.write(d, other);
      for (const conn of [a, b, c]) coalescer.write(conn, f('three'));
      await until(() => net.received.reduce((n, r) => n + r.length, 0) === 11);
      expect(net.received).toEqual([
        ['one', 'two', 'three'],
        ['one', 'three'],
        ['one', 'two', 'three'],
        ['one', 'two', 'other'],
      ]);
    } finally {
      await net.close();
    }
  });

  it('flushConnection writes what is waiting before a close that ws writes at once', async () => {
    const net = await connections(1);
    const coalescer = new WriteCoalescer(64 * 1024 * 1024, () => undefined, () => undefined);
    try {
      const conn = net.conns[0];
      const closed = new Promise<number>((r) => net.clients[0].once('close', r));
      coalescer.write(conn, encodeTextFrame('last words'));
      coalescer.flushConnection(conn);
      conn.ws.close(4000, 'bye');
      expect(await closed).toBe(4000);
      expect(net.received[0]).toEqual(['last words']);
    } finally {
      await net.close();
    }
  });

  it('reports a socket that does not read once its unsent bytes pass the bound, and only that one', async () => {
    const net = await connections(2);
    const slow: HubConnection[] = [];
    const bound = 256 * 1024;
    const coalescer = new WriteCoalescer(bound, (conn) => {
      slow.push(conn);
      conn.ws.terminate();
    }, () => undefined);
    try {
      net.clients[0].pause();
      const frame = encodeTextFrame('x'.repeat(16 * 1024));
      for (let i = 0; i < 400 && slow.length === 0; i++) {
        for (const conn of net.conns) coalescer.write(conn, frame);
        await new Promise((r) => setTimeout(r, 1));
      }
      expect(slow).toEqual([net.conns[0]]);
      expect(net.conns[0].socket.destroyed).toBe(true);
      expect(net.conns[1].socket.destroyed).toBe(false);
      // Nothing more is queued for the closed connection.
      expect(coalescer.write(net.conns[0], frame)).toBe(false);
    } finally {
      await net.close();
    }
  });
});
