// Bytes of WebAssembly + JavaScript any page loads (the islands bundle is the same for every
// page), raw and brotli (quality 11, as a CDN or `tower-http` would serve it). Fails if the
// brotli total is over the budget.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const BUDGET = 100 * 1024;
const dir = process.argv[2] ?? 'target/site/pkg';
const files = readdirSync(dir).filter((f) => f.endsWith('.wasm') || f.endsWith('.js'));
if (files.length === 0) {
  console.error(`no .wasm or .js in ${dir}: build first (make build-front)`);
  process.exit(1);
}
let raw = 0;
let br = 0;
for (const f of files.sort()) {
  const bytes = readFileSync(join(dir, f));
  const b = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  raw += bytes.length;
  br += b;
  console.log(`${f.padEnd(28)} ${String(bytes.length).padStart(9)} B raw ${String(b).padStart(8)} B brotli`);
}
console.log(`${'total'.padEnd(28)} ${String(raw).padStart(9)} B raw ${String(br).padStart(8)} B brotli (budget ${BUDGET} B)`);
if (br > BUDGET) {
  console.error(`over budget by ${br - BUDGET} B`);
  process.exit(1);
}
