import { defineConfig } from '@playwright/test';
import * as path from 'path';

// Runs against the release build (`make build`) on a fresh, seeded SQLite
// database. Two projects: hydrated (JavaScript on) and nojs (JavaScript off), both on a phone.
const root = path.resolve(__dirname, '..');
const port = process.env.E2E_PORT ?? '3210';
const db = path.join(root, 'target', 'e2e', 'e2e.db');
const server = process.env.E2E_SERVER_BIN ?? path.join(root, 'target', 'release', 'server');

const phone = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
};

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
    },
  },
  projects: [
    { name: 'hydrated', use: { ...phone, javaScriptEnabled: true } },
    { name: 'nojs', use: { ...phone, javaScriptEnabled: false } },
  ],
  webServer: {
    command: `rm -f "${db}" "${db}-wal" "${db}-shm" && "${server}" seed-demo && exec "${server}"`,
    cwd: root,
    url: `http://127.0.0.1:${port}/healthz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      DATABASE_URL: `sqlite://${db}`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: path.join(root, 'target', 'site'),
      RUST_LOG: 'warn',
      // A demo site: the log SMS sender's codes are shown on the page (tests read them there).
      DEMO_MODE: '1',
      // Both projects log the same staff in many times a day from one address.
      SMS_PER_PHONE_PER_DAY: '100000',
      SMS_PER_IP_PER_DAY: '100000',
    },
  },
});
