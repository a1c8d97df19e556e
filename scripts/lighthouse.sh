#!/usr/bin/env bash
# Lighthouse (mobile, the default: a mid-range phone on a slow 4G link, 4x CPU slowdown) on
# the resident pages, against a fresh demo server: prints each page's LCP and
# performance score. Uses Debian's chromium and the npm registry's lighthouse.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${SERVER_BIN:-${CARGO_TARGET_DIR:-target}/release/server}"
dir="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
export DATABASE_URL="sqlite://$dir/lh.db" LEPTOS_SITE_ADDR=127.0.0.1:3290 RUST_LOG=error
"$bin" seed-demo >/dev/null
"$bin" serve >"$dir/server.log" 2>&1 &
pid=$!
base=http://127.0.0.1:3290
for _ in $(seq 50); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.2; done
# A resident's session (the lists need one).
cookie=$(curl -s -D - -o /dev/null -H 'Accept: application/json' -H "Origin: $base" \
  --data 'phone=13800000001&password=shequ2026' "$base/api/login" | awk -F'[ ;]' 'tolower($1)=="set-cookie:" && $2 ~ /^mc_session=/ {print $2}')
lh="npx --yes lighthouse@12.8.2"
printf '%-22s %10s %8s\n' page "LCP ms" score
for page in / /services /threads /demands /notifications; do
  headers=$(printf '{"Cookie":"%s"}' "$cookie")
  [ "$page" = /services ] && headers='{}'
  $lh "$base$page" --quiet --only-categories=performance --chrome-path=/usr/bin/chromium \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" --extra-headers="$headers" \
    --output=json --output-path="$dir/report.json" >/dev/null 2>&1
  node -e '
    const r = require(process.argv[1]);
    const lcp = r.audits["largest-contentful-paint"].numericValue;
    console.log(process.argv[2].padEnd(22), String(Math.round(lcp)).padStart(10), String(Math.round(r.categories.performance.score * 100)).padStart(8));
  ' "$dir/report.json" "$page"
done
