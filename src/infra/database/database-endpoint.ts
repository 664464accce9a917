import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { queueSchema } from '../queue/queue-schema';
import { copyEmbeddedTemplate } from './embedded-template';
import { EmbeddedWireServer } from './embedded-wire-server';

interface EmbeddedServer {
  stop(): Promise<void>;
}

/**
 * Where Postgres is. In full mode, DATABASE_URL. In embedded mode, a PGlite database under DATA_DIR
 * served over the Postgres wire protocol on a loopback port, so TypeORM and BullMQ's Postgres
 * backend use the same `pg` driver and code path in both modes.
 */
export class DatabaseEndpoint {
  private static readonly logger = new Logger('Database');

  private constructor(
    readonly url: string,
    readonly embedded: boolean,
    private readonly server?: EmbeddedServer,
  ) {}

  static async open(config: AppConfig): Promise<DatabaseEndpoint> {
    if (config.database.url) return new DatabaseEndpoint(config.database.url, false);
    const dataDir = resolve(config.database.dataDir, 'pg');
    mkdirSync(dataDir, { recursive: true });
    const started = Date.now();
    const { PGlite } = await import('@electric-sql/pglite');
    const template = !existsSync(join(dataDir, 'PG_VERSION')) && copyEmbeddedTemplate(dataDir);
    // shared_buffers: PGlite initialises the whole buffer pool at start. 128 MB (Postgres's default)
    // cost about 80 ms of the start and 105 MB of RSS more than 32 MB; EMBEDDED_SHARED_BUFFERS_MB sets it.
    const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${config.database.embeddedSharedBuffersMb}MB`];
    const db = await PGlite.create({ dataDir, startParams });
    // One session serves every connection: BullMQ's objects (in their own schema) must resolve
    // after the application's tables, whatever connection runs the statement.
    await db.exec(`SET search_path TO public, ${quoteIdent(queueSchema(config.redis.keyPrefix))}`);
    const server = new EmbeddedWireServer(db);
    const url = `postgres://postgres@${await server.listen('127.0.0.1')}/postgres`;
    this.logger.log(`Embedded Postgres (PGlite) at ${dataDir} ready in ${Date.now() - started} ms${template ? ' (created from the build\'s template)' : ''}`);
    return new DatabaseEndpoint(url, true, {
      stop: async () => {
        await server.close();
        await db.close();
      },
    });
  }

  async close(): Promise<void> {
    await this.server?.stop();
  }
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
