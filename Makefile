# My Community: the two commands are `make run` and `make test` (see README.md).
# Every tool the build needs is installed here, from the package registries only.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# cargo-leptos only for `make watch` (live reload while developing); builds don't need it.
CARGO_LEPTOS_VERSION := 0.3.10
# wasm-bindgen-cli must match the wasm-bindgen crate pinned in Cargo.toml / Cargo.lock.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/{getline; gsub(/"/,"",$$3); print $$3; exit}' Cargo.lock)

# npm's binaryen (wasm-opt 132) and esbuild come first: the build takes the wasm-opt it finds
# on PATH, and Debian's binaryen 108 produces wasm that never hydrates.
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# The LEPTOS_* values cargo-leptos would set, the same for every build (the wasm, the server,
# `cargo test`), so each crate is compiled once.
export LEPTOS_OUTPUT_NAME := mycommunity
export LEPTOS_SITE_ROOT ?= target/site
export LEPTOS_SITE_PKG_DIR := pkg

TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
SERVER := $(TARGET_DIR)/release/server
export E2E_SERVER_BIN := $(abspath $(SERVER))

DATABASE_URL ?= sqlite://data/mycommunity.db
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help run test setup setup-rust setup-node setup-browser setup-watch watch build build-front build-server test-rust test-postgres test-e2e size bench lighthouse clean

help:
	@echo "make run   - set up, build, migrate, seed the demo community, serve at http://127.0.0.1:3000"
	@echo "make test  - set up, build, run every test (Rust unit + integration on SQLite and PostgreSQL, Playwright)"

## Set-up ------------------------------------------------------------------------------

setup: setup-rust setup-node

setup-rust:
	@command -v rustup >/dev/null || { echo "rustup is required (https://rustup.rs)"; exit 1; }
	rustup target add wasm32-unknown-unknown
	@if [ "$$(wasm-bindgen --version 2>/dev/null | awk '{print $$2}')" != "$(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 3 minutes on 2 cores, once)"; \
	  cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; \
	fi

setup-node:
	@command -v npm >/dev/null || { echo "Node.js and npm are required"; exit 1; }
	@if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -x end2end/node_modules/.bin/playwright ] \
	    || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then \
	  cd end2end && npm ci --no-audit --no-fund; \
	fi
	@wasm-opt --version | grep -q 'version 132' || { echo "wasm-opt 132 (npm binaryen) is not first on PATH"; exit 1; }

# Only for `make watch`.
setup-watch: setup
	@if [ "$$(cargo leptos --version 2>/dev/null | awk '{print $$2}')" != "$(CARGO_LEPTOS_VERSION)" ]; then \
	  echo "installing cargo-leptos $(CARGO_LEPTOS_VERSION) (about 20 minutes on 2 cores, once)"; \
	  cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked; \
	fi

# Debian's chromium, and a CJK font so that screenshots show Chinese rather than boxes.
setup-browser:
	@if [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-wqy-zenhei >/dev/null 2>&1; then \
	  $(SUDO) apt-get update && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-wqy-zenhei; \
	fi

## Build and run -----------------------------------------------------------------------

build: build-front build-server

# The browser side: wasm, JS and CSS with hashed names, precompressed (scripts/build-front.sh).
build-front: setup
	scripts/build-front.sh

build-server: setup
	cargo build --release --package=server --bin=server

# Develop with live reload (cargo-leptos; SQLite, demo data).
watch: setup-watch
	DATABASE_URL=$(DATABASE_URL) cargo run -p server -- seed-demo
	DEMO_MODE=1 DATABASE_URL=$(DATABASE_URL) cargo leptos watch

run: build
	DATABASE_URL=$(DATABASE_URL) $(SERVER) seed-demo
	DEMO_MODE=1 DATABASE_URL=$(DATABASE_URL) $(SERVER) serve

## Tests -------------------------------------------------------------------------------

test: build-front setup-browser
	@start=$$(date +%s); \
	$(MAKE) --no-print-directory test-rust test-postgres test-e2e size; \
	echo "all tests passed in $$(( $$(date +%s) - start )) s (after the browser build)"

# Unit tests and the integration tests on SQLite, in one build (release: the tests start the
# same optimised server that is deployed).
test-rust:
	TEST_BACKEND=sqlite cargo test --release --workspace -- --test-threads=4

# PostgreSQL: the same integration tests. Skipped with a message when no server answers at
# TEST_DATABASE_URL, unless REQUIRE_POSTGRES=1 (CI), which makes that a failure.
test-postgres:
	@if DATABASE_URL=$(TEST_DATABASE_URL) $(SERVER) check-db; then \
	  TEST_BACKEND=postgres TEST_DATABASE_URL=$(TEST_DATABASE_URL) cargo test --release --workspace --test '*' -- --test-threads=4; \
	else \
	  echo "SKIPPED: PostgreSQL integration tests: no PostgreSQL at $(TEST_DATABASE_URL) (set TEST_DATABASE_URL)"; \
	  if [ "$${REQUIRE_POSTGRES:-}" = 1 ]; then echo "REQUIRE_POSTGRES=1: failing"; exit 1; fi; \
	fi

test-e2e: setup-browser
	cd end2end && npx playwright test

# Bytes of wasm + JS a page loads, raw and brotli; fails over the 100 KB brotli budget.
size:
	scripts/wasm-size.sh

bench: build
	cargo run --release -p server --example bench

# Lighthouse mobile on the resident pages: LCP and score.
lighthouse: build setup-browser
	scripts/lighthouse.sh

clean:
	cargo clean
	rm -rf end2end/node_modules end2end/test-results end2end/screenshots
