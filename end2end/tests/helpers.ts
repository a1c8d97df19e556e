import { Browser, BrowserContext, Page, TestInfo, expect } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

export const DEMO_PASSWORD = 'shequ2026';
export const RESIDENT = '13800000001';
export const SOCIAL_WORKER = '13800000002';

export const jsOn = (info: TestInfo) => info.project.name === 'hydrated';

/** Saves a phone-viewport screenshot under end2end/screenshots/<project>-<name>.png. */
export async function shot(page: Page, info: TestInfo, name: string) {
  const dir = path.join(__dirname, '..', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${info.project.name}-${name}.png`), fullPage: true });
}

/** Fails the test on any page error or console error (a hydration failure shows up here). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A form answered 4xx on purpose (wrong password, invalid field): the browser logs it.
    const expected = /Failed to load resource: the server responded with a status of 4\d\d/;
    if (m.type() === 'error' && !expected.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** Waits until the islands of the page are hydrated (JavaScript on only). */
export async function hydrated(page: Page) {
  await page.locator('html[data-hydrated="1"]').waitFor({ state: 'attached', timeout: 15_000 });
}

export async function login(page: Page, info: TestInfo, phone: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  if (jsOn(info)) await hydrated(page);
  await page.getByLabel('手机号').fill(phone);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  if (STAFF.includes(phone) && password === DEMO_PASSWORD) await secondFactor(page, info);
}

/** The demo's staff accounts: a new browser asks them for the SMS code at login. */
const STAFF = ['13800000002', '13800000003', '13800000004', '13800000005', '13800000006', '13800000007'];

/** The staff login's second step. The test server is a demo site (DEMO_MODE): the page
 *  shows the code the log sender "sent", as a demo badge. */
export async function secondFactor(page: Page, info: TestInfo) {
  await page.waitForURL(/\/login\/verify/);
  if (jsOn(info)) await hydrated(page);
  const code = await page.locator('[data-demo-code]').getAttribute('data-demo-code');
  await page.getByLabel('短信验证码').fill(code ?? '');
  await page.getByRole('button', { name: '登录' }).click();
}

/** A browser context of its own (its own cookies), signed in as `phone`, on its Me or
 *  station page. */
export async function signedIn(
  browser: Browser,
  info: TestInfo,
  phone: string,
  password = DEMO_PASSWORD,
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ ...info.project.use, acceptDownloads: true });
  const page = await ctx.newPage();
  await login(page, info, phone, password);
  await page.waitForURL(/\/(me|station)$/);
  return { ctx, page };
}

/** A phone number no other test or project uses. */
export function uniquePhone(info: TestInfo, n: number): string {
  const p = info.project.name === 'hydrated' ? 1 : 2;
  const tail = String((Date.now() % 100000) * 10 + n).padStart(6, '0').slice(-6);
  return `139${p}${n}${tail}`.slice(0, 11);
}

export { expect };

/** Registration's first step: the number, then the code the demo site shows (the `log`
 *  SMS sender on a demo site), typed into the code's field. */
export async function verifyPhone(page: Page, info: TestInfo, phone: string) {
  await page.getByLabel('手机号').fill(phone);
  await page.getByRole('button', { name: '获取验证码' }).click();
  const demo = page.locator('[data-demo-code]');
  await demo.waitFor();
  if (jsOn(info)) await hydrated(page);
  await typeCode(page);
}

/** Types the code the demo badge shows into the code's field. */
export async function typeCode(page: Page) {
  const code = await page.locator('[data-demo-code]').getAttribute('data-demo-code');
  await page.getByLabel('短信验证码').fill(code ?? '');
}

/** Ticks the privacy notice's box. */
export async function agree(page: Page) {
  await page.locator('input[name=consent]').check();
}
