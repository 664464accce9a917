// Used by scripts/bundle.mjs after esbuild has written dist/relaybase.js; test/infra/bundle-names.int-spec.ts checks it.
import { readFileSync, writeFileSync } from 'node:fs';
/**
 * keepNames makes esbuild wrap every named function and class in `__name(fn, "name")`, which calls
 * Object.defineProperty on the function's `name`, also for each closure a hot path creates per call
 * (a trigger request made two: about 2% of the server's CPU under load, the property redefinition
 * included). The name only needs setting when bundling renamed the binding; where the function
 * already has that name, redefining it changes nothing. The helper is rewritten to check first.
 */
export function keepNamesOnlyWhenRenamed(file) {
  const helper = 'var __name = (target, value) => __defProp(target, "name", { value, configurable: true });';
  const checked = 'var __name = (target, value) => target.name === value ? target : __defProp(target, "name", { value, configurable: true });';
  const code = readFileSync(file, 'utf8');
  const at = code.indexOf(helper);
  if (at === -1) throw new Error(`scripts/keep-names.mjs: esbuild's __name helper changed; update keepNamesOnlyWhenRenamed (looked for: ${helper})`);
  // The same line count, so the linked source map still lines up.
  writeFileSync(file, code.slice(0, at) + checked + code.slice(at + helper.length));
}
