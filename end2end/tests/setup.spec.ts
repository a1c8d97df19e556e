import { test } from '@playwright/test';
import { RESIDENT, expect, shot, signedIn, watchErrors } from './helpers';

test('the stationmaster adds a grid area and pastes its buildings; the change log shows it', async ({ browser }, info) => {
  const { ctx, page } = await signedIn(browser, info, '13800000004');
  const errors = watchErrors(page);
  const area = `e2e-${info.project.name}`;
  await page.goto('/station');
  await page.getByRole('link', { name: '社区设置' }).first().click();
  await expect(page).toHaveURL(/\/station\/setup$/);
  // Plain forms, no island: the page loads no code even with JavaScript on.

  await page.getByLabel('网格代码').fill(area);
  await page.getByLabel('名称（中文）').fill(`测试网格 ${info.project.name}`);
  await page.getByLabel('名称（英文）').fill(`Test area ${info.project.name}`);
  await page.getByRole('button', { name: '保存' }).first().click();
  await expect(page.getByRole('status')).toContainText('已保存');
  await expect(page.locator(`li[data-area="${area}"]`)).toBeVisible();

  // A paste with a bad second line: nothing saved, the list kept, the line named.
  const code = (n: number) => `${area}-b${n}`;
  const bad = `${code(1)}\t${info.project.name}一号楼\t40\t${area}\n${code(2)}\t${info.project.name}二号楼\tmany\t${area}`;
  await page.getByLabel('楼栋列表').fill(bad);
  await page.getByRole('button', { name: '保存' }).nth(1).click();
  await expect(page.locator('[data-bad-lines]')).toContainText('2');
  await expect(page.getByLabel('楼栋列表')).toHaveValue(bad);
  await expect(page.getByRole('status')).toHaveCount(0);
  await shot(page, info, 'setup-bad-paste');

  await page.getByLabel('楼栋列表').fill(bad.replace('many', '36'));
  await page.getByRole('button', { name: '保存' }).nth(1).click();
  await expect(page.getByRole('status')).toContainText('已保存');
  const line = page.locator(`li[data-area="${area}"]`);
  await expect(line).toContainText('2 楼栋');
  await expect(line).toContainText('76');
  await expect(page.locator('.change-log li', { hasText: code(2) })).toBeVisible();
  await shot(page, info, 'setup');
  // Elder mode: the same page, larger.
  await page.goto('/me');
  await page.getByRole('button', { name: '开启长辈模式' }).click();
  await expect(page.locator('html')).toHaveClass(/elder/);
  await page.goto('/station/setup');
  await shot(page, info, 'setup-elder');
  await page.goto('/me');
  await page.getByRole('button', { name: '关闭长辈模式' }).click();
  expect(errors).toEqual([]);
  await ctx.close();
});

test('the station publishes its phone and address; residents see them on Home', async ({ browser }, info) => {
  const { ctx, page } = await signedIn(browser, info, '13800000004');
  const errors = watchErrors(page);
  const phone = info.project.name === 'hydrated' ? '010-6601 2345' : '010-6601 2346';
  await page.goto('/station/setup');
  const form = page.locator('form[data-contacts]');
  await form.getByLabel('服务站电话').fill('call us');
  await form.getByLabel('服务站地址').fill('西城区广安门外强根胡同 2 号');
  await form.getByRole('button', { name: '保存' }).click();
  await expect(page.locator('form[data-contacts] [data-error-for="phone"]')).toContainText('电话');
  await expect(page.locator('form[data-contacts]').getByLabel('服务站地址')).toHaveValue('西城区广安门外强根胡同 2 号');
  await page.locator('form[data-contacts]').getByLabel('服务站电话').fill(phone);
  await page.locator('form[data-contacts]').getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('status')).toContainText('已保存');
  await expect(page.locator('.change-log li').first()).toContainText(phone);
  await shot(page, info, 'setup-contacts');
  await ctx.close();
  expect(errors).toEqual([]);

  const resident = await signedIn(browser, info, RESIDENT);
  await resident.page.goto('/');
  const link = resident.page.locator('[data-station-phone]');
  await expect(link).toHaveText(phone);
  await expect(link).toHaveAttribute('href', `tel:${phone.replace(/[ -]/g, '')}`);
  await expect(resident.page.locator('[data-station-address]')).toHaveText('西城区广安门外强根胡同 2 号');
  await resident.page.locator('.station-card').scrollIntoViewIfNeeded();
  await shot(resident.page, info, 'home-station-contacts');
  await resident.ctx.close();
});
