import { cpSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * A ready-made embedded database — PGlite's data directory after initdb and every migration
 * (TypeORM's and BullMQ's default schema), with only the `postgres` database (template0 and
 * template1 dropped: nothing here creates databases) — written by `npm run build`. A first start on an empty
 * DATA_DIR copies it instead of running initdb and the migrations, which is most of a cold start.
 * Without it (a build that skipped it), the first start creates the database itself.
 */
export const EMBEDDED_TEMPLATE_DIR = 'embedded-db';

/** The template beside the compiled code (dist/), whether running from the bundle, from dist/src or from the sources. */
export function embeddedTemplatePath(): string | undefined {
  const candidates = [
    resolve(__dirname, EMBEDDED_TEMPLATE_DIR),
    resolve(__dirname, '../../..', EMBEDDED_TEMPLATE_DIR),
    resolve(__dirname, '../../../dist', EMBEDDED_TEMPLATE_DIR),
  ];
  return candidates.find((p) => existsSync(join(p, 'PG_VERSION')));
}

/** Fills an empty data directory from the template; false when there is none. */
export function copyEmbeddedTemplate(dataDir: string): boolean {
  const template = embeddedTemplatePath();
  if (!template) return false;
  cpSync(template, dataDir, { recursive: true });
  return true;
}
