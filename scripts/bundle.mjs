// Bundles the compiled server (dist/src/main.js) with the packages it uses into one CommonJS file,
// dist/relaybase.js, which `npm start` runs. Part of `npm run build`, after `nest build`.
//
// Why: NestJS 12's packages are ES modules, which Node 20 loads through its ESM loader one file at a
// time (resolve, translate, link) from CommonJS, and the rest of the tree is some 2,000 more files
// to find and compile. Loading the compiled tree was about 1.8 s of a 4.5-5 s embedded cold start
// on a 2-core machine; the bundle is one file to read and compile.
//
// The packages listed in EXTERNAL stay in node_modules and are required from there at run time,
// exactly as before (see the list for why each). Node's built-ins stay external, and so do optional
// packages that are not installed (NestJS's microservices, socket.io and fastify adapters; ws's
// native helpers), which their callers only require inside a try. Everything else is bundled once:
// NestJS's classes are also dependency-injection tokens, so there must be one copy of each.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keepNamesOnlyWhenRenamed } from './keep-names.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Packages required from node_modules at run time: native addons, packages that read files beside
 * their code or load modules by computed name, worker-thread transports, the lazily loaded SDKs, and
 * packages that a bundled one requires by computed name (which would otherwise load a second copy).
 */
const EXTERNAL = [
  '@anthropic-ai/sdk',
  '@electric-sql/pglite',
  'argon2',
  'bullmq',
  // Also required by @nestjs/mapped-types through createRequire at run time: one copy for both, so
  // that the decorators' metadata (class-transformer keeps its own per copy) is the one it reads.
  'class-transformer',
  'class-validator',
  'ioredis',
  'msgpackr',
  'msgpackr-extract',
  'openai',
  'pg',
  'pg-native',
  'pino',
  'pino-http',
  'pino-pretty',
  'prom-client',
  'reflect-metadata',
  'swagger-ui-dist',
  'thread-stream',
  'typeorm',
];
const packageOf = (path) => path.split('/').slice(0, path.startsWith('@') ? 2 : 1).join('/');

/** EXTERNAL packages and Node's built-ins stay external; every other package is bundled when installed. */
const externalPackages = {
  name: 'external-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      if (args.path.startsWith('node:') || EXTERNAL.includes(packageOf(args.path))) return { path: args.path, external: true };
      const found = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'resolving' });
      // An optional package that is not installed (NestJS's microservices, ws's bufferutil): left to the
      // caller's own try/require at run time.
      return found.errors.length > 0 ? { path: args.path, external: true } : undefined;
    });
  },
};

const result = await build({
  entryPoints: [join(root, 'dist/src/main.js')],
  outfile: join(root, 'dist/relaybase.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // NestJS's ESM packages reach for `import.meta.url` in a few places; CommonJS has __filename.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  // Class and function names are kept: NestJS names providers, and logs, by them.
  keepNames: true,
  sourcemap: 'linked',
  plugins: [externalPackages],
  logLevel: 'warning',
  metafile: true,
});
keepNamesOnlyWhenRenamed(join(root, 'dist/relaybase.js'));
const inputs = Object.keys(result.metafile.inputs).length;
console.log(`Bundled ${inputs} modules into dist/relaybase.js`);
