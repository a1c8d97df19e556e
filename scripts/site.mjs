// Second half of build-front.sh: takes the built js, wasm and css from a scratch directory,
// gives them content-hashed names in <site>/pkg (so they can be cached for a year), writes
// `<name>.<hash>.<ext>.br` and `.gz` beside each (served as they are, never compressed per
// request), copies public/ into the site root, and writes hash.txt beside the server binary
// in the format Leptos reads (`js: <hash>` a line).
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const [scratch, name, site, binDir] = process.argv.slice(2);
if (!binDir) {
  console.error('usage: site.mjs SCRATCH NAME SITE_ROOT BIN_DIR');
  process.exit(2);
}
const fresh = join(site, 'pkg.new');
rmSync(fresh, { recursive: true, force: true });
mkdirSync(fresh, { recursive: true });

const hashes = [];
for (const ext of ['js', 'wasm', 'css']) {
  const bytes = readFileSync(join(scratch, `${name}.${ext}`));
  const hash = createHash('sha256').update(bytes).digest('base64url').slice(0, 16);
  hashes.push(`${ext}: ${hash}`);
  const file = join(fresh, `${name}.${hash}.${ext}`);
  writeFileSync(file, bytes);
  writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
}
// Inline JS that crates ship with wasm-bindgen, if any.
if (existsSync(join(scratch, 'snippets'))) cpSync(join(scratch, 'snippets'), join(fresh, 'snippets'), { recursive: true });

// Swap in the new files: old hashed names go (a running server only names the new ones
// after a restart, which reads the new hash file).
rmSync(join(site, 'pkg'), { recursive: true, force: true });
renameSync(fresh, join(site, 'pkg'));
if (existsSync('public')) cpSync('public', site, { recursive: true });
mkdirSync(binDir, { recursive: true });
writeFileSync(join(binDir, 'hash.txt'), hashes.join('\n') + '\n');
console.log(`site: ${site}/pkg (${hashes.join(', ')}), ${binDir}/hash.txt`);
