import { test } from '@playwright/test';
import { RESIDENT, expect, hydrated, jsOn, shot, signedIn, watchErrors } from './helpers';

// Installable: the manifest and its icons; the service worker, the offline page, a post
// written offline sent when the connection returns; the reach settings on /me/reach.

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(bytes: Buffer): string {
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  return `${bytes.readUInt32BE(16)}x${bytes.readUInt32BE(20)}`;
}

test('the manifest and icons make the site installable', async ({ page, request }) => {
  const res = await request.get('/manifest.webmanifest');
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('manifest+json');
  const m = await res.json();
  expect(m.name).toBe('我的社区');
  expect(m.short_name).toBe('我的社区');
  expect(m.lang).toBe('zh-CN');
  expect(m.start_url).toBe('/');
  expect(m.scope).toBe('/');
  expect(m.display).toBe('standalone');
  expect(m.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(m.background_color).toMatch(/^#[0-9a-f]{6}$/i);
  const icons: { src: string; sizes: string; type: string; purpose: string }[] = m.icons;
  for (const [sizes, purpose] of [['192x192', 'any'], ['512x512', 'any'], ['512x512', 'maskable']]) {
    expect(icons.some((i) => i.sizes === sizes && i.purpose === purpose), `${sizes} ${purpose}`).toBe(true);
  }
  for (const icon of icons) {
    const r = await request.get(icon.src);
    expect(r.status(), icon.src).toBe(200);
    expect(r.headers()['content-type']).toBe('image/png');
    expect(pngSize(await r.body()), icon.src).toBe(icon.sizes);
  }
  // Every page links the manifest, the home-screen icon and the theme colour.
  await page.goto('/');
  await expect(page.locator('link[rel=manifest]')).toHaveAttribute('href', '/manifest.webmanifest');
  await expect(page.locator('meta[name=theme-color]')).toHaveAttribute('content', m.theme_color);
  const touch = await page.locator('link[rel=apple-touch-icon]').getAttribute('href');
  expect(pngSize(await (await request.get(touch ?? '')).body())).toBe('180x180');
  // The service worker and the offline page are served from the root.
  for (const file of ['/sw.js', '/reach.js', '/offline.html', '/offline.css', '/offline.js']) {
    expect((await request.get(file)).status(), file).toBe(200);
  }
});

test('offline: the offline page, and a demand written offline is sent once back online', async ({ browser }, info) => {
  test.skip(!jsOn(info), 'a service worker needs JavaScript');
  const { ctx, page } = await signedIn(browser, info, RESIDENT);
  await page.goto('/');
  // Registered by /reach.js, and controlling the page (clients.claim).
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });

  await ctx.setOffline(true);
  await page.goto('/notices');
  await expect(page.getByRole('heading', { name: '现在没有网络' })).toBeVisible();
  await expect(page.getByText('紧急情况请直接拨打服务站电话')).toBeVisible();
  await shot(page, info, 'offline');

  // Back online, the offline page returns home by itself.
  await ctx.setOffline(false);
  await page.waitForURL((u) => u.pathname === '/');
  const marker = `离线写的诉求 ${Date.now() % 100000}`;
  await page.goto('/post');
  await hydrated(page);
  await page.getByLabel('诉求描述').fill(`${marker}：单元门禁坏了，进不了门`);
  await ctx.setOffline(true);
  await page.getByRole('button', { name: '提交' }).click();
  await page.waitForURL(/\/offline\.html\?saved=1$/);
  await expect(page.getByRole('status')).toHaveText('已保存在这台手机上，联网后会自动发出。不用再提交一次。');
  await expect(page.locator('#kept')).toContainText(marker);
  await shot(page, info, 'offline-saved');

  // Back online: the next page asks the worker to send what it kept; it is filed once.
  await ctx.setOffline(false);
  await page.waitForURL((u) => u.pathname === '/');
  await expect(async () => {
    await page.goto('/demands');
    await expect(page.getByText(marker)).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await page.goto('/offline.html');
  await expect(page.locator('#kept-box')).toBeHidden();
  await ctx.close();
});

test('the resident chooses how to be reached', async ({ browser }, info) => {
  const { ctx, page } = await signedIn(browser, info, RESIDENT);
  const errors = watchErrors(page);
  await page.getByRole('link', { name: '提醒方式' }).click();
  await page.waitForURL(/\/me\/reach$/);
  if (jsOn(info)) await hydrated(page);
  await expect(page.getByRole('heading', { name: '这台手机' })).toBeVisible();
  if (jsOn(info)) {
    // The browser can take pushes: the button is offered.
    await expect(page.getByRole('button', { name: '在这台手机上接收推送' })).toBeVisible();
  } else {
    // Without JavaScript the button stays hidden and the page says why (in <noscript>,
    // which a browser with scripting off shows; Playwright's switch only stops scripts).
    await expect(page.getByRole('button', { name: '在这台手机上接收推送' })).toBeHidden();
    expect(await page.content()).toContain('开启推送需要浏览器允许 JavaScript。');
  }
  // The quiet hours and cap the sender keeps (the test server runs with the defaults).
  await expect(page.getByText('22:00–07:00 不发送（紧急通知除外），每天最多 3 条。')).toBeVisible();
  const sms = page.getByRole('checkbox', { name: '预约提醒 · 短信' });
  await expect(sms).toBeChecked();
  await sms.uncheck();
  await page.getByRole('button', { name: '保存提醒方式' }).click();
  await page.waitForURL(/\/me\/reach\?saved=1$/);
  await expect(page.getByText('提醒方式已保存。')).toBeVisible();
  await expect(page.getByRole('checkbox', { name: '预约提醒 · 短信' })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: '紧急通知（停水、停电等） · 短信' })).toBeChecked();
  await shot(page, info, 'reach');
  // Back as it was, for the other project.
  await page.getByRole('checkbox', { name: '预约提醒 · 短信' }).check();
  await page.getByRole('button', { name: '保存提醒方式' }).click();
  await expect(page.getByRole('checkbox', { name: '预约提醒 · 短信' })).toBeChecked();
  expect(errors).toEqual([]);
  await ctx.close();
});
