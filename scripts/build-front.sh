#!/usr/bin/env bash
# The browser side of a release build, without cargo-leptos (whose own compile took 20 of the
# 44 minutes of a first `make run`): cargo builds the islands for wasm32, wasm-bindgen makes
# the JS glue, wasm-opt (npm binaryen 132, first on PATH) shrinks the wasm, esbuild minifies
# the JS and the CSS, and site.mjs names the files by content hash, precompresses them and
# writes the hash file beside the server binary. cargo-leptos stays for `cargo leptos watch`.
set -euo pipefail
if [ $# -ne 0 ]; then
  echo "usage: scripts/build-front.sh (no arguments; see the comment at its top)" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
name=${LEPTOS_OUTPUT_NAME:-mycommunity}
front=$target/front

# The same LEPTOS_* environment as the server build, so shared crates are built once.
cargo build --package=app --lib --target=wasm32-unknown-unknown --no-default-features \
  --features=hydrate --profile=wasm-release --target-dir="$front"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name "$name" \
  "$front/wasm32-unknown-unknown/wasm-release/app.wasm"
wasm-opt -Oz --enable-bulk-memory "$out/${name}_bg.wasm" -o "$out/$name.wasm"
rm "$out/${name}_bg.wasm"
esbuild --log-level=warning --minify --format=esm "$out/$name.js" --outfile="$out/$name.min.js"
mv "$out/$name.min.js" "$out/$name.js"
# Prefixes for the phone browsers residents have (WeChat's and older Safari included).
esbuild --log-level=warning --minify --target=chrome87,safari13,firefox78,edge88 \
  style/main.css --outfile="$out/$name.css"
node scripts/site.mjs "$out" "$name" "${LEPTOS_SITE_ROOT:-target/site}" "$target/release"
