#!/usr/bin/env bash
# See wasm-size.mjs.
exec node "$(dirname "$0")/wasm-size.mjs" "${1:-${LEPTOS_SITE_ROOT:-target/site}/pkg}"
