import { test } from '@playwright/test';
import { SOCIAL_WORKER, expect, jsOn, hydrated, shot, signedIn, watchErrors } from './helpers';

// 主动发现: a worker records what they found on a patrol; the case is theirs to work, with
// no resident behind it, and closes when resolved. JavaScript on and off.
test('a worker files a case found on a patrol and resolves it', async ({ browser }, info) => {
  const { ctx, page } = await signedIn(browser, info, SOCIAL_WORKER);
  const errors = watchErrors(page);
  const run = `${info.project.name}${Date.now()}`;
  await page.goto('/station/found');
  if (jsOn(info)) await hydrated(page);
  await expect(page.getByRole('radio', { name: '巡查' })).toBeChecked();
  await expect(page.getByRole('radio', { name: '我家' })).toHaveCount(0);
  // Nothing described: the error beside the field, the rest kept.
  await page.getByLabel('具体位置').fill('东门停车场');
  await page.getByRole('button', { name: '提交' }).click();
  await expect(page.locator('[data-error-for="description"]')).not.toBeEmpty();
  await expect(page.getByLabel('具体位置')).toHaveValue('东门停车场');
  await shot(page, info, 'found-form-error');
  await page.getByLabel('诉求描述').fill(`东门停车场路灯不亮 ${run}`);
  await page.getByRole('button', { name: '提交' }).click();
  await expect(page).toHaveURL(/\/demands\/\d+$/);
  await expect(page.getByTestId('found-via')).toHaveText('巡查');
  await shot(page, info, 'found-case');
  await page.getByRole('button', { name: '办结' }).click();
  await expect(page.getByTestId('state')).toHaveText('已关闭');
  expect(errors).toEqual([]);
  await ctx.close();
});
