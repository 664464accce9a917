import { EmbeddedWireServer } from '../../src/infra/database/embedded-wire-server';

export interface PgliteServer {
  url: string;
  stop(): Promise<void>;
}

/** An in-memory PGlite served over the Postgres wire protocol on a loopback port, as embedded mode serves it. */
export async function startPgliteServer(): Promise<PgliteServer> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create();
  const server = new EmbeddedWireServer(db);
  const address = await server.listen('127.0.0.1');
  return {
    url: `postgres://postgres@${address}/postgres`,
    stop: async () => {
      await server.close();
      await db.close();
    },
  };
}
