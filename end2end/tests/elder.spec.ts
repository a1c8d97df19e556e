import { test } from '@playwright/test';
import { DEMO_PASSWORD, RESIDENT, expect, hydrated, jsOn, secondFactor, shot } from './helpers';

test('the new pages in elder mode', async ({ page }, info) => {
  await page.goto('/login');
  if (jsOn(info)) await hydrated(page);
  await page.getByLabel('手机号').fill(RESIDENT);
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/me$/);
  await page.getByRole('button', { name: '开启长辈模式' }).click();
  for (const [path, name] of [['/threads/1', 'elder-thread'], ['/appointments?affair=residence-proof', 'elder-appointments'], ['/activities', 'elder-activities'], ['/visits/new', 'elder-visit'], ['/surveys', 'elder-surveys'], ['/spaces', 'elder-spaces'], ['/spaces/tool-cabinet', 'elder-space-times'], ['/partners', 'elder-partners'], ['/notices', 'elder-notices'], ['/transparency', 'elder-transparency'], ['/search?q=%E6%A5%BC%E9%81%93%E7%81%AF&state=open', 'elder-search'], ['/me/reach', 'elder-reach']]) {
    await page.goto(path);
    await expect(page.locator('html')).toHaveClass(/elder/);
    await shot(page, info, name);
  }
  // The demo survey, to answer.
  await page.goto('/surveys');
  await page.getByTestId('survey-line').first().getByRole('link').click();
  await expect(page.getByTestId('survey-title')).toBeVisible();
  await shot(page, info, 'elder-survey');
  await page.goto('/me');
  await page.getByRole('button', { name: '关闭长辈模式' }).click();
});

test('the dashboard in elder mode and in English', async ({ page }, info) => {
  await page.goto('/login');
  if (jsOn(info)) await hydrated(page);
  await page.getByLabel('手机号').fill('13800000004');
  await page.getByLabel('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await secondFactor(page, info);
  await page.waitForURL(/\/station$/);
  await page.goto('/me');
  await page.getByRole('button', { name: '开启长辈模式' }).click();
  await page.goto('/station/dashboard?period=month');
  await expect(page.locator('html')).toHaveClass(/elder/);
  await expect(page.getByTestId('rate-response')).toBeVisible();
  await shot(page, info, 'elder-dashboard');
  // The station's own administration pages, larger.
  await page.goto('/station/team');
  await expect(page.locator('html')).toHaveClass(/elder/);
  await expect(page.locator('li[data-member]').first()).toBeVisible();
  await shot(page, info, 'elder-team');
  await page.goto('/station/setup');
  await expect(page.locator('form[data-contacts]')).toBeVisible();
  await shot(page, info, 'elder-setup-contacts');
  await page.goto('/station/rounds');
  await expect(page.getByTestId('coverage')).toBeVisible();
  await shot(page, info, 'elder-rounds');
  await page.goto('/station/spaces');
  await expect(page.getByTestId('space-form')).toBeAttached();
  await shot(page, info, 'elder-spaces-desk');
  await page.goto('/station/words');
  await expect(page.getByTestId('add-words')).toBeVisible();
  await shot(page, info, 'elder-words');
  await page.goto('/me');
  await page.getByRole('button', { name: '关闭长辈模式' }).click();
  await page.getByRole('button', { name: '切换语言' }).first().click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.goto('/station/dashboard?period=month');
  await expect(page.getByRole('heading', { name: '响应率 Response rate' })).toBeVisible();
  await shot(page, info, 'dashboard-en');
  await page.getByRole('button', { name: 'Switch language' }).first().click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
});
