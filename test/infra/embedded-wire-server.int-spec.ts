import { Client, Notification, Pool } from 'pg';
import { startPgliteServer, PgliteServer } from '../support/pglite-server';
import { waitFor } from '../support/wait-for';

/**
 * The embedded database's wire server shares one PGlite session between every client connection;
 * to each client it must look like a session of its own for statements, transactions and LISTEN.
 */
describe('embedded database wire server', () => {
  let server: PgliteServer;
  beforeAll(async () => {
    server = await startPgliteServer();
    const c = new Client({ connectionString: server.url });
    await c.connect();
    await c.query('CREATE TABLE wire_items (id int PRIMARY KEY, owner text NOT NULL)');
    await c.end();
  });
  afterAll(() => server.stop());

  it('runs concurrent parameterised statements from several pools without mixing them up', async () => {
    const pools = [0, 1, 2].map(() => new Pool({ connectionString: server.url, max: 4 }));
    try {
      const results = await Promise.all(
        Array.from({ length: 300 }, (_, i) => pools[i % 3].query('SELECT $1::int * 2 AS doubled, $2::text AS tag', [i, `t${i}`])),
      );
      results.forEach((r, i) => expect(r.rows[0]).toEqual({ doubled: i * 2, tag: `t${i}` }));
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('keeps a transaction to its own connection until it ends, and others see only committed rows', async () => {
    const a = new Client({ connectionString: server.url });
    const b = new Client({ connectionString: server.url });
    await Promise.all([a.connect(), b.connect()]);
    try {
      await a.query('BEGIN');
      await a.query('INSERT INTO wire_items (id, owner) VALUES ($1, $2)', [1, 'a']);
      let bSaw: number | undefined;
      const bRead = b.query('SELECT count(*)::int AS n FROM wire_items WHERE id = 1').then((r) => (bSaw = r.rows[0].n));
      await new Promise((r) => setTimeout(r, 100));
      expect(bSaw).toBeUndefined(); // waits for a's transaction instead of running inside it
      await a.query('ROLLBACK');
      await bRead;
      expect(bSaw).toBe(0);

      await a.query('BEGIN');
      await a.query('INSERT INTO wire_items (id, owner) VALUES ($1, $2)', [2, 'a']);
      await a.query('COMMIT');
      expect((await b.query('SELECT owner FROM wire_items WHERE id = 2')).rows).toEqual([{ owner: 'a' }]);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('rolls back the transaction of a client that disconnects inside it', async () => {
    const a = new Client({ connectionString: server.url });
    await a.connect();
    a.on('error', () => undefined);
    await a.query('BEGIN');
    await a.query('INSERT INTO wire_items (id, owner) VALUES (3, $1)', ['gone']);
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const b = new Client({ connectionString: server.url });
    await b.connect();
    try {
      expect((await b.query('SELECT count(*)::int AS n FROM wire_items WHERE id = 3')).rows[0].n).toBe(0);
      await b.query('INSERT INTO wire_items (id, owner) VALUES (3, $1)', ['b']);
    } finally {
      await b.end();
    }
  });

  it('delivers a notification to the connections that listen on its channel and to no other', async () => {
    const listener = new Client({ connectionString: server.url });
    const other = new Client({ connectionString: server.url });
    const notifier = new Client({ connectionString: server.url });
    await Promise.all([listener.connect(), other.connect(), notifier.connect()]);
    const got: Record<string, Notification[]> = { listener: [], other: [], notifier: [] };
    listener.on('notification', (n) => got.listener.push(n));
    other.on('notification', (n) => got.other.push(n));
    notifier.on('notification', (n) => got.notifier.push(n));
    try {
      await listener.query('LISTEN jobs_ready');
      await other.query('LISTEN "Other"');
      await notifier.query(`SELECT pg_notify('jobs_ready', 'q1')`);
      await notifier.query('BEGIN');
      await notifier.query(`NOTIFY jobs_ready, 'q2'`);
      await notifier.query('COMMIT');
      await waitFor(() => got.listener.length === 2, 2_000);
      expect(got.listener.map((n) => [n.channel, n.payload])).toEqual([
        ['jobs_ready', 'q1'],
        ['jobs_ready', 'q2'],
      ]);
      await listener.query('UNLISTEN jobs_ready');
      await notifier.query(`SELECT pg_notify('jobs_ready', 'q3'), pg_notify('Other', 'o1')`);
      await waitFor(() => got.other.length === 1, 2_000);
      expect(got.other[0].payload).toBe('o1');
      expect(got.listener).toHaveLength(2);
      expect(got.notifier).toHaveLength(0);
    } finally {
      await Promise.all([listener.end(), other.end(), notifier.end()]);
    }
  });
});
