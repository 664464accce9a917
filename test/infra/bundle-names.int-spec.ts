import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keepNamesOnlyWhenRenamed } from '../../scripts/keep-names.mjs';

/**
 * The bundle's rewritten keepNames helper (scripts/keep-names.mjs): names that bundling renamed are
 * still set back, and functions that already carry their name keep it. NestJS, Swagger and the logs
 * name providers, DTOs and modules by these names.
 */
describe('the bundle keeps class and function names', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'relaybase-names-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restores a class esbuild renamed for a collision and keeps a function declared per call', async () => {
    // Two modules declare `Foo`: esbuild renames one of the bindings (Foo2) in the bundle's scope.
    writeFileSync(join(dir, 'a.mjs'), 'export class Foo {}\nexport function make() { function inner() { return 1; } return inner; }\n');
    writeFileSync(join(dir, 'b.mjs'), 'export class Foo {}\n');
    writeFileSync(join(dir, 'entry.mjs'), "export { Foo as A, make } from './a.mjs';\nexport { Foo as B } from './b.mjs';\n");
    const outfile = join(dir, 'out.cjs');
    await build({ entryPoints: [join(dir, 'entry.mjs')], outfile, bundle: true, platform: 'node', format: 'cjs', keepNames: true, logLevel: 'silent' });

    keepNamesOnlyWhenRenamed(outfile);

    const bundled = createRequire(__filename)(outfile) as { A: { name: string }; B: { name: string }; make: () => { name: string } };
    expect([bundled.A.name, bundled.B.name]).toEqual(['Foo', 'Foo']);
    expect(bundled.make().name).toBe('inner');
  });
});
