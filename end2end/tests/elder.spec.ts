import { test } from '@playwright/test';
import { DEMO_PASSWORD, RESIDENT, expect, hydrated, jsOn, shot } from './helpers';

test('the new pages in elder mode', async ({ page }, info) => {
  await page.goto('/login');
  if (jsOn(info)) await hydrated(page);
  await page.getByLabel('手机号').fill(RESIDENT);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/me$/);
  await page.getByRole('button', { name: '开启长辈模式' }).click();
  for (const [path, name] of [['/threads/1', 'elder-thread'], ['/appointments?affair=residence-proof', 'elder-appointments'], ['/activities', 'elder-activities'], ['/visits/new', 'elder-visit']]) {
    await page.goto(path);
    await expect(page.locator('html')).toHaveClass(/elder/);
    await shot(page, info, name);
  }
  await page.goto('/me');
  await page.getByRole('button', { name: '关闭长辈模式' }).click();
});
