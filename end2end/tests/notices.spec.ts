import { test } from '@playwright/test';
import { RESIDENT, expect, shot, signedIn, watchErrors } from './helpers';

test('the station publishes an emergency notice; the resident sees it unread and reads it; the station sees who has', async ({ browser }, info) => {
  const { ctx, page } = await signedIn(browser, info, '13800000004');
  const errors = watchErrors(page);
  const title = `3号楼停水 ${info.project.name}`;
  await page.goto('/notices');
  await page.getByRole('link', { name: '发布公告' }).click();
  await expect(page).toHaveURL(/\/notices\/new$/);
  // A building audience without a building: the error beside the field, the text kept.
  await page.getByLabel('标题').fill(title);
  await page.getByLabel('类别').selectOption('emergency');
  await page.getByLabel('面向', { exact: true }).selectOption('building');
  await page.getByLabel('正文').fill('今天 14:00–18:00 停水检修，详见 https://www.bjxch.gov.cn/ 。');
  await page.getByRole('button', { name: '发布公告' }).click();
  await expect(page.locator('[data-error-for="target"]')).toContainText('楼栋');
  await expect(page.getByLabel('标题')).toHaveValue(title);
  await shot(page, info, 'notice-form-error');
  await page.getByLabel('网格或楼栋').selectOption('b3');
  await page.getByRole('button', { name: '发布公告' }).click();
  await expect(page).toHaveURL(/\/notices\/\d+$/);
  await expect(page.getByTestId('notice-title')).toHaveText(title);
  await expect(page.locator('.notice-body a')).toHaveAttribute('href', 'https://www.bjxch.gov.cn/');
  const url = page.url();
  await expect(page.locator('[data-unreached]').first()).toContainText('王秀兰');
  await shot(page, info, 'notice-station');

  const resident = await signedIn(browser, info, RESIDENT);
  await resident.page.goto('/');
  const line = resident.page.locator('.home-notices li', { hasText: title });
  await expect(line).toHaveAttribute('data-unread', '');
  await shot(resident.page, info, 'home-notices');
  await line.getByRole('link').click();
  await expect(resident.page.getByTestId('notice-title')).toHaveText(title);
  await shot(resident.page, info, 'notice-resident');
  await resident.page.goto('/notices');
  await expect(resident.page.locator('.notice-line', { hasText: title })).not.toHaveAttribute('data-unread', '');
  await resident.ctx.close();

  await page.goto(url);
  await expect(page.locator('[data-unreached]', { hasText: '王秀兰' })).toHaveCount(0);
  await expect(page.locator('tr[data-read-place="3号楼"]')).toContainText(/^3号楼\s*[1-9]/);
  expect(errors).toEqual([]);
  await ctx.close();
});
