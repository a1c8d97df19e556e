import { test } from '@playwright/test';
import { expect, shot, watchErrors } from './helpers';

test('anyone reads a community\'s rates month by month and its subdistrict\'s ranking, without logging in', async ({ page }, info) => {
  const errors = watchErrors(page);
  await page.goto('/');
  await page.getByRole('link', { name: /服务公开/ }).first().click();
  await expect(page).toHaveURL(/\/transparency$/);
  await expect(page.getByTestId('month-table').locator('tbody tr')).toHaveCount(6);
  await expect(page.getByTestId('rate-response')).toBeVisible();
  await page.getByLabel('请选择社区').selectOption('hetaoyuan');
  await page.getByRole('button', { name: '筛选' }).click();
  await expect(page).toHaveURL(/community=hetaoyuan/);
  await expect(page.getByTestId('transparency-scope')).toContainText('核桃园社区');
  await expect(page.getByTestId('ranking-table').locator('tr[data-community="qianggen"]')).toBeVisible();
  await shot(page, info, 'transparency');
  // An earlier month, by its link.
  const earlier = page.locator('nav.months a').first();
  const month = (await earlier.textContent()) ?? '';
  await earlier.click();
  await expect(page).toHaveURL(new RegExp(`month=${month}`));
  await expect(page.locator('nav.months a[aria-current="page"]')).toHaveText(month);
  expect(errors).toEqual([]);
});
