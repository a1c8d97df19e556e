import { test } from '@playwright/test';
import { expect, shot, signedIn, watchErrors } from './helpers';

test('the subdistrict admin adds an affair to the catalogue template; the stations get it at once', async ({ browser }, info) => {
  const { ctx, page } = await signedIn(browser, info, '13800000006');
  const errors = watchErrors(page);
  const code = `e2e-${info.project.name}`;
  await page.goto('/station');
  await page.getByRole('link', { name: '事项目录模板' }).first().click();
  await expect(page).toHaveURL(/\/station\/catalogue$/);
  // A missing name and a bad deadline: each named beside its field, what was typed kept.
  await page.getByLabel('事项代码').fill(code);
  await page.getByLabel('服务类别').selectOption('life');
  await page.getByLabel('事项分类').selectOption('daily_life');
  await page.getByLabel('办理方式').selectOption('referral');
  await page.getByLabel('响应时限（小时）').fill('0');
  await page.getByLabel('办结时限（小时）').fill('72');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.locator('[data-error-for="response_hours"]')).not.toBeEmpty();
  await expect(page.getByLabel('事项代码')).toHaveValue(code);
  await page.getByLabel('响应时限（小时）').fill('12');
  await page.getByLabel('名称（中文）').fill(`供暖求助 ${info.project.name}`);
  await page.getByLabel('名称（英文）').fill('Winter heating help');
  await page.getByLabel('说明（中文）').fill('暖气不热时，社区联系供热单位上门。');
  await page.getByLabel('承办单位（中文）').fill('供热单位');
  await page.getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('status')).toContainText('已保存并推送');
  const line = page.locator(`li[data-template="${code}"]`);
  // Qianggen, Hetaoyuan, and any community the team test added meanwhile.
  await expect(line).toContainText(/[2-9] 个社区采用/);
  await expect(page.locator('.change-log li').first()).toContainText(code);
  await shot(page, info, 'catalogue');
  await ctx.close();

  // A resident of Qianggen sees it in the services menu.
  const resident = await signedIn(browser, info, '13800000001');
  await resident.page.goto(`/services/${code}`);
  await expect(resident.page.getByRole('heading', { level: 1 })).toContainText(`供暖求助 ${info.project.name}`);
  await resident.ctx.close();
  // The stationmaster may hide it, not edit it: the page says so instead of offering the editor.
  const master = await signedIn(browser, info, '13800000004');
  await master.page.goto(`/services/${code}`);
  await expect(master.page.locator('[data-from-template]')).toBeVisible();
  await expect(master.page.getByRole('link', { name: '编辑服务事项' })).toHaveCount(0);
  await master.ctx.close();
  expect(errors).toEqual([]);
});
