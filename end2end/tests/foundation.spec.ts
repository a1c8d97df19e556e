import { test } from '@playwright/test';
import {
  DEMO_PASSWORD,
  RESIDENT,
  SOCIAL_WORKER,
  agree,
  expect,
  hydrated,
  jsOn,
  login,
  shot,
  typeCode,
  uniquePhone,
  verifyPhone,
  watchErrors,
} from './helpers';

test('a resident registers, sees the masked phone, switches language and elder mode, logs out', async ({ page }, info) => {
  const errors = watchErrors(page);
  const phone = uniquePhone(info, 1);
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await shot(page, info, 'home-guest');

  await page.getByRole('link', { name: '注册' }).first().click();
  await page.getByLabel('所在社区').selectOption('qianggen');
  await page.getByRole('button', { name: '提交' }).click();
  await expect(page).toHaveURL(/community=qianggen/);
  if (jsOn(info)) await hydrated(page);

  // The number first: a code goes to it (shown on the page: a demo site).
  await verifyPhone(page, info, phone);
  const masked = `${phone.slice(0, 3)}****${phone.slice(7)}`;
  await expect(page.locator('[data-code-sent]')).toContainText(masked);
  await shot(page, info, 'register-code');

  // A bad submission keeps what was typed and explains in Chinese.
  await page.getByLabel('称呼').fill('测试居民');
  await page.getByLabel('楼栋').selectOption({ label: '3号楼' });
  await page.getByLabel('单元').fill('2');
  await page.getByLabel('门牌号').fill('302');
  await page.getByLabel('密码', { exact: true }).fill('short');
  await page.getByLabel('再次输入密码').fill('short');
  await agree(page);
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page.locator('[data-error-for=password]')).toHaveText('密码至少 8 位。');
  await expect(page.locator('[data-code-sent]')).toContainText(masked);
  await expect(page.getByLabel('称呼')).toHaveValue('测试居民');
  await expect(page.getByLabel('楼栋')).toHaveValue(/\d+/);
  await shot(page, info, 'register-error');

  await page.getByLabel('密码', { exact: true }).fill('lvyin2026');
  await page.getByLabel('再次输入密码').fill('lvyin2026');
  await typeCode(page);
  await agree(page);
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.getByTestId('phone')).toHaveText(masked);
  await expect(page.locator('body')).not.toContainText(phone);
  await shot(page, info, 'me-zh');

  // Language: English, persisted across pages.
  await page.getByRole('button', { name: '切换语言' }).first().click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { name: 'Me', exact: true })).toBeVisible();
  await page.goto('/services');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.goto('/me');

  // Elder mode.
  await page.getByRole('button', { name: 'Turn on elder mode' }).click();
  await expect(page.locator('html')).toHaveClass(/elder/);
  const size = await page.locator('body').evaluate((b) => parseFloat(getComputedStyle(b).fontSize));
  expect(size).toBeGreaterThanOrEqual(20);
  await shot(page, info, 'me-en-elder');
  // Back to Chinese, elder mode kept.
  await page.getByRole('button', { name: 'Switch language' }).first().click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.locator('html')).toHaveClass(/elder/);
  await shot(page, info, 'me-zh-elder');
  await page.getByRole('button', { name: '关闭长辈模式' }).click();
  await expect(page.locator('html')).not.toHaveClass(/elder/);

  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto('/me');
  await expect(page).toHaveURL(/\/login\?next=\/me/);
  expect(errors).toEqual([]);
});

test('wrong password shows a clear message and keeps the phone', async ({ page }, info) => {
  const errors = watchErrors(page);
  await login(page, info, RESIDENT, 'wrong-pass-1');
  await expect(page.locator('[data-form-error]')).toHaveText('手机号或密码不正确。');
  await expect(page.getByLabel('手机号')).toHaveValue(RESIDENT);
  if (jsOn(info)) {
    // Enhanced: the page did not reload, so no error travelled in the URL.
    await expect(page).toHaveURL(/\/login$/);
  }
  await shot(page, info, 'login-error');
  expect(errors).toEqual([]);
});

test('staff login reaches the station desk', async ({ page }, info) => {
  const errors = watchErrors(page);
  await login(page, info, SOCIAL_WORKER);
  await expect(page).toHaveURL(/\/station$/);
  await expect(page.getByTestId('scope')).toHaveText('强根社区');
  await expect(page.getByRole('cell', { name: '刘社工' }).first()).toBeVisible();
  await shot(page, info, 'station');
  expect(errors).toEqual([]);
});

test('a resident is refused at the station desk', async ({ page }, info) => {
  await login(page, info, RESIDENT);
  await expect(page).toHaveURL(/\/me$/);
  const res = await page.goto('/station');
  expect(res?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: '无权访问' })).toBeVisible();
  await shot(page, info, 'station-refused');
});

test('unknown pages say so in both languages', async ({ page }, info) => {
  const res = await page.goto('/no-such-page');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: '页面不存在' })).toBeVisible();
  await shot(page, info, 'not-found');
});
