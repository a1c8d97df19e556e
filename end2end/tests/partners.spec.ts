import { test } from '@playwright/test';
import { RESIDENT, expect, jsOn, hydrated, shot, signedIn, watchErrors } from './helpers';

// 服务伙伴: a resident searches the directory, asks the elderly station through the station,
// and the case names it. JavaScript on and off.
test('a resident finds a partner and asks it through the station', async ({ browser }, info) => {
  const run = `${info.project.name}${Date.now()}`;
  const { ctx, page } = await signedIn(browser, info, RESIDENT);
  const errors = watchErrors(page);
  await page.goto('/services');
  await page.getByRole('link', { name: '服务伙伴' }).click();
  await expect(page).toHaveURL(/\/partners$/);
  await page.getByPlaceholder('搜索：助餐、修鞋、心理…').fill('助餐');
  await page.getByRole('button', { name: '搜索' }).click();
  const card = page.locator('[data-partner="elderly-station"]');
  await expect(card).toBeVisible();
  await expect(page.locator('[data-partner]')).toHaveCount(1);
  await expect(card.getByRole('link', { name: /010-/ })).toHaveAttribute('href', /^tel:/);
  await shot(page, info, 'partners-search');
  await card.getByRole('link', { name: '通过服务站向它求助' }).click();
  await expect(page).toHaveURL(/\/post\?partner=elderly-station/);
  if (jsOn(info)) await hydrated(page);
  await expect(page.getByTestId('asked-partner')).toContainText('强根养老服务驿站');
  await page.getByLabel('诉求描述').fill(`母亲腿脚不便，想请驿站上门助浴 ${run}`);
  await shot(page, info, 'partners-ask');
  await page.getByRole('button', { name: '提交' }).click();
  await expect(page).toHaveURL(/\/demands\/\d+$/);
  await expect(page.getByText('点名服务伙伴：强根养老服务驿站')).toBeVisible();
  expect(errors).toEqual([]);
  await ctx.close();
});
