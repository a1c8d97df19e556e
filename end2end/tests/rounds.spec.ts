import { test } from '@playwright/test';
import { SOCIAL_WORKER, expect, jsOn, hydrated, shot, signedIn, watchErrors } from './helpers';

// 入户走访: a worker opens an area's round, records a visit (a missing topic first), and
// flags the household for care; coverage counts it. JavaScript on and off.
test('a worker records a visit on the round and flags a household for care', async ({ browser }, info) => {
  const run = `${info.project.name}${Date.now()}`;
  const { ctx, page } = await signedIn(browser, info, SOCIAL_WORKER);
  const errors = watchErrors(page);
  await page.goto('/station/rounds');
  await expect(page.getByTestId('coverage')).toBeVisible();
  // An area with households (the demo's register came from residents' addresses).
  await page.getByTestId('coverage').locator('tbody tr:not([data-households="0"]) a').first().click();
  await expect(page).toHaveURL(/area=/);
  const first = page.getByTestId('round-line').first();
  await expect(first).toBeVisible();
  await shot(page, info, 'rounds-round');
  await first.locator('a').click();
  await expect(page).toHaveURL(/\/station\/rounds\/\d+$/);
  if (jsOn(info)) await hydrated(page);
  // No topic chosen: told beside the topics; the note is kept.
  await page.getByLabel('情况记录').fill(`独居，血压偏高，已提醒复诊 ${run}`);
  await page.getByRole('button', { name: '记录走访' }).click();
  await expect(page.locator('[data-error-for="topics"]')).not.toBeEmpty();
  await expect(page.getByLabel('情况记录')).toHaveValue(`独居，血压偏高，已提醒复诊 ${run}`);
  await page.getByLabel('身体健康').check();
  await page.getByRole('button', { name: '记录走访' }).click();
  await expect(page.getByTestId('visit-line').filter({ hasText: run })).toHaveCount(1);
  // Care flags: the change is logged.
  await page.getByTestId('care-form').getByLabel('困难家庭').check();
  await page.getByTestId('care-form').getByRole('button', { name: '保存' }).click();
  await expect(page.getByTestId('care-log')).toContainText('困难家庭');
  await shot(page, info, 'rounds-household');
  await page.goto('/station/rounds');
  await expect(page.getByTestId('area-visited').filter({ hasNotText: /^0 / })).not.toHaveCount(0);
  expect(errors).toEqual([]);
  await ctx.close();
});
