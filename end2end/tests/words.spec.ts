import { test } from '@playwright/test';
import { expect, hydrated, jsOn, shot, signedIn, watchErrors } from './helpers';

// Residents' words: the stationmaster adds a synonym group, sees it listed, retires it.
const STATIONMASTER = '13800000004';

test('the stationmaster adds and retires a group of residents\' words', async ({ browser }, info) => {
  // A word is at most 12 characters.
  const marker = `zz${info.project.name[0]}${Date.now() % 100000}`;
  const { ctx, page } = await signedIn(browser, info, STATIONMASTER);
  const errors = watchErrors(page);
  await page.goto('/station');
  await page.getByRole('link', { name: '居民用语（同义词）' }).click();
  await page.waitForURL(/\/station\/words$/);
  if (jsOn(info)) await hydrated(page);
  // A word that is no word is refused, what was typed explained.
  await page.getByLabel('一组同义词（用空格分开，第一个是标准说法）').fill('电梯');
  await page.getByRole('button', { name: '添加这一组' }).click();
  await expect(page.getByText('一组要有 2 到 20 个不同的词。')).toBeVisible();
  // What was typed is still there to correct, with or without JavaScript.
  await expect(page.getByLabel('一组同义词（用空格分开，第一个是标准说法）')).toHaveValue('电梯');
  await page.getByLabel('一组同义词（用空格分开，第一个是标准说法）').fill(`电梯 ${marker}`);
  await page.getByRole('button', { name: '添加这一组' }).click();
  const line = page.locator(`[data-words="电梯 ${marker}"]`);
  await expect(line).toBeVisible();
  await shot(page, info, 'words');
  await line.getByRole('button', { name: '停用' }).click();
  await expect(page.locator(`[data-words="电梯 ${marker}"]`)).toHaveCount(0);
  expect(errors).toEqual([]);
  await ctx.close();
});
