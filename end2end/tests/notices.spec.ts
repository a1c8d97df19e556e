import { test } from '@playwright/test';
import { RESIDENT, expect, hydrated, jsOn, shot, signedIn, watchErrors } from './helpers';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

test('the station publishes an emergency notice; the resident sees it unread and reads it; the station sees who has', async ({ browser }, info) => {
  const { ctx, page } = await signedIn(browser, info, '13800000004');
  const errors = watchErrors(page);
  const title = `3号楼停水 ${info.project.name}`;
  await page.goto('/notices');
  await page.getByRole('link', { name: '发布公告' }).click();
  await expect(page).toHaveURL(/\/notices\/new$/);
  if (jsOn(info)) await hydrated(page);
  // A building audience without a building: the error beside the field, the text and the
  // attachments kept (in the page with JavaScript, on the server without).
  await page.getByLabel('标题').fill(title);
  const photo = await page.screenshot();
  await page.getByLabel('照片', { exact: true }).setInputFiles({ name: 'map.png', mimeType: 'image/png', buffer: photo });
  await page.getByLabel('PDF 文件').setInputFiles({ name: '停水范围.pdf', mimeType: 'application/pdf', buffer: PDF });
  await page.getByLabel('类别').selectOption('emergency');
  await page.getByLabel('面向', { exact: true }).selectOption('building');
  await page.getByLabel('正文').fill('今天 14:00–18:00 停水检修，详见 https://www.bjxch.gov.cn/ 。');
  await page.getByRole('button', { name: '发布公告' }).click();
  await expect(page.locator('[data-error-for="target"]')).toContainText('楼栋');
  await expect(page.getByLabel('标题')).toHaveValue(title);
  if (!jsOn(info)) await expect(page.locator('[data-kept-file]')).toContainText('停水范围.pdf');
  await shot(page, info, 'notice-form-error');
  await page.getByLabel('网格或楼栋').selectOption('b3');
  await page.getByRole('button', { name: '发布公告' }).click();
  await expect(page).toHaveURL(/\/notices\/\d+$/);
  await expect(page.getByTestId('notice-title')).toHaveText(title);
  await expect(page.locator('.notice-body a')).toHaveAttribute('href', 'https://www.bjxch.gov.cn/');
  await expect(page.locator('[data-notice-photos] img')).toHaveCount(1);
  await expect(page.locator('[data-notice-file]')).toHaveCount(1);
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
  const download = resident.page.waitForEvent('download');
  await resident.page.locator('[data-notice-file] a').click();
  expect((await download).suggestedFilename()).toBe('停水范围.pdf');
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
