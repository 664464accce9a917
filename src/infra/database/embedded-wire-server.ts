import { createServer, Server, Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const PROTOCOL_3 = 196_608;
const SSL_REQUEST = 80_877_103;
const GSS_REQUEST = 80_877_104;
const CANCEL_REQUEST = 80_877_102;
const NO = Buffer.from('N');

/** One client connection: its unparsed input, the messages of the unit it is building, its LISTENs. */
interface Connection {
  readonly socket: Socket;
  input: Buffer;
  started: boolean;
  unit: Buffer[];
  readonly listening: Set<string>;
  closed: boolean;
}

/**
 * A run of messages that PGlite executes in one go: everything up to a Sync, a Query or the startup.
 * A unit without a connection is the server's own (a rollback), and its output is discarded.
 */
interface Unit {
  readonly conn: Connection | null;
  readonly bytes: Buffer;
  readonly listenChanges: ListenChange[];
}

type ListenChange = { listen: boolean; channel: string | '*' };

/**
 * The Postgres wire protocol in front of an in-process PGlite, for the embedded mode.
 *
 * PGlite is one backend session. Every client connection (TypeORM's pool, BullMQ's pool and its
 * LISTEN client) shares it, so this server schedules the session between them:
 * - a client's messages run as whole units — everything up to a Sync (extended protocol) or a
 *   simple Query — so one client's unnamed statement and portal are never replaced by another's
 *   between Parse, Bind and Execute;
 * - a client that leaves a unit inside a transaction (ReadyForQuery status T or E) keeps the
 *   session until it ends the transaction; other clients' units wait;
 * - notifications, which PGlite emits in the output of whichever unit committed the NOTIFY, go to
 *   the clients that issued LISTEN for their channel and to no one else;
 * - a client that disconnects inside a transaction has it rolled back.
 */
export class EmbeddedWireServer {
  private server?: Server;
  private readonly connections = new Set<Connection>();
  private readonly queue: Unit[] = [];
  private owner: Connection | null = null;
  private running = false;

  constructor(private readonly db: PGlite) {}

  async listen(host: string): Promise<string> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address !== 'object') throw new Error('embedded database server has no address');
    return `${host}:${address.port}`;
  }

  async close(): Promise<void> {
    for (const conn of this.connections) conn.socket.destroy();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    while (this.running) await new Promise((r) => setTimeout(r, 5));
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const conn: Connection = { socket, input: Buffer.alloc(0), started: false, unit: [], listening: new Set(), closed: false };
    this.connections.add(conn);
    socket.on('data', (chunk: Buffer) => this.receive(conn, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.disconnect(conn));
  }

  private receive(conn: Connection, chunk: Buffer): void {
    conn.input = conn.input.length === 0 ? chunk : Buffer.concat([conn.input, chunk]);
    while (!conn.closed) {
      if (!conn.started) {
        if (conn.input.length < 8) return;
        const length = conn.input.readInt32BE(0);
        if (conn.input.length < length) return;
        const message = conn.input.subarray(0, length);
        conn.input = conn.input.subarray(length);
        const code = message.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSS_REQUEST) conn.socket.write(NO);
        else if (code === CANCEL_REQUEST) conn.socket.end();
        else if (code === PROTOCOL_3) {
          conn.started = true;
          this.enqueue({ conn, bytes: Buffer.from(message), listenChanges: [] });
        } else conn.socket.destroy();
        continue;
      }
      if (conn.input.length < 5) return;
      const length = 1 + conn.input.readInt32BE(1);
      if (conn.input.length < length) return;
      const message = Buffer.from(conn.input.subarray(0, length));
      conn.input = conn.input.subarray(length);
      const type = message[0];
      if (type === 0x58 /* X: Terminate */) {
        conn.socket.end();
        return;
      }
      conn.unit.push(message);
      // S: Sync, Q: Query, H: Flush (the client waits for output, so the unit must run now).
      if (type === 0x53 || type === 0x51 || type === 0x48) {
        const messages = conn.unit;
        conn.unit = [];
        this.enqueue({ conn, bytes: messages.length === 1 ? messages[0] : Buffer.concat(messages), listenChanges: listenChanges(messages) });
      }
    }
  }

  private enqueue(unit: Unit): void {
    this.queue.push(unit);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const index = this.owner ? this.queue.findIndex((u) => u.conn === this.owner) : 0;
        if (index < 0 || this.queue.length === 0) return;
        const [unit] = this.queue.splice(index, 1);
        if (unit.conn?.closed) continue;
        await this.execute(unit);
      }
    } finally {
      this.running = false;
    }
  }

  private async execute(unit: Unit): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      await this.db.runExclusive(() => this.db.execProtocolRawStream(unit.bytes, { onRawData: (data) => chunks.push(Buffer.from(data)) }));
    } catch {
      // PGlite reports SQL errors in the protocol output; a throw here means the session is unusable
      // for this client. Close it: the client sees a broken connection, never a wrong answer.
      unit.conn?.socket.destroy();
      return;
    }
    if (!unit.conn) return;
    for (const change of unit.listenChanges) {
      if (change.channel === '*') unit.conn.listening.clear();
      else if (change.listen) unit.conn.listening.add(change.channel);
      else unit.conn.listening.delete(change.channel);
    }
    this.deliver(unit.conn, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  }

  /** Writes a unit's output to its client, minus the notifications, which go to their listeners. */
  private deliver(conn: Connection, output: Buffer): void {
    const own: Buffer[] = [];
    let start = 0;
    let offset = 0;
    let status = 0;
    while (offset + 5 <= output.length) {
      const type = output[offset];
      const end = offset + 1 + output.readInt32BE(offset + 1);
      if (type === 0x41 /* A: NotificationResponse */) {
        if (offset > start) own.push(output.subarray(start, offset));
        const message = output.subarray(offset, end);
        const channel = readCString(message, 9);
        for (const listener of this.connections) {
          if (!listener.listening.has(channel)) continue;
          if (listener === conn) own.push(message);
          else listener.socket.write(message);
        }
        start = end;
      } else if (type === 0x5a /* Z: ReadyForQuery */) status = output[offset + 5];
      offset = end;
    }
    if (output.length > start) own.push(output.subarray(start));
    if (status === 0x49 /* I */) {
      if (this.owner === conn) this.owner = null;
    } else if (status !== 0) this.owner = conn;
    if (!conn.closed && own.length) conn.socket.write(own.length === 1 ? own[0] : Buffer.concat(own));
  }

  private disconnect(conn: Connection): void {
    if (conn.closed) return;
    conn.closed = true;
    this.connections.delete(conn);
    for (let i = this.queue.length - 1; i >= 0; i--) if (this.queue[i].conn === conn) this.queue.splice(i, 1);
    if (this.owner === conn) {
      // Its transaction must not leak into the next client's statements.
      this.queue.unshift({ conn: null, bytes: simpleQuery('ROLLBACK'), listenChanges: [] });
      this.owner = null;
    }
    void this.pump();
  }
}

function readCString(buf: Buffer, offset: number): string {
  const end = buf.indexOf(0, offset);
  return buf.toString('utf8', offset, end < 0 ? buf.length : end);
}

function simpleQuery(sql: string): Buffer {
  const body = Buffer.from(`${sql}\0`);
  const message = Buffer.alloc(5 + body.length);
  message.write('Q', 0);
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return message;
}

const LISTEN_RE = /^\s*(UN)?LISTEN\s+("(?:[^"]|"")+"|[^\s;]+)\s*;?\s*$/i;

/** LISTEN and UNLISTEN statements in a unit's Query and Parse messages, by channel name. */
function listenChanges(messages: Buffer[]): ListenChange[] {
  const changes: ListenChange[] = [];
  for (const message of messages) {
    let sql: string | undefined;
    if (message[0] === 0x51) sql = readCString(message, 5);
    else if (message[0] === 0x50) sql = readCString(message, message.indexOf(0, 5) + 1);
    if (!sql || !/LISTEN/i.test(sql)) continue;
    for (const statement of sql.split(';')) {
      const m = LISTEN_RE.exec(statement);
      if (!m) continue;
      const raw = m[2];
      const channel = raw === '*' ? '*' : raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase();
      changes.push({ listen: !m[1], channel });
    }
  }
  return changes;
}
