import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * A ready-made embedded database — PGlite's data directory after initdb and every migration
 * (TypeORM's and BullMQ's default schema), gzipped — written by `npm run build`. A first start on an
 * empty DATA_DIR loads it instead of running initdb and the migrations, which is most of a cold
 * start. Without it (a build that skipped it), the first start creates the database itself.
 */
export const EMBEDDED_TEMPLATE_FILE = 'embedded-db.tar.gz';

/** The template beside the compiled code (dist/), whether running from dist or from the sources. */
export function embeddedTemplatePath(): string | undefined {
  const candidates = [resolve(__dirname, '../../..', EMBEDDED_TEMPLATE_FILE), resolve(__dirname, '../../../dist', EMBEDDED_TEMPLATE_FILE)];
  return candidates.find((p) => existsSync(p));
}
