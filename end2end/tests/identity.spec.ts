import { test } from '@playwright/test';
import * as fs from 'fs';
import { agree, expect, hydrated, jsOn, shot, typeCode, uniquePhone, verifyPhone, watchErrors } from './helpers';

test('register with a code, forget the password, download my data, delete the account', async ({ browser }, info) => {
  const ctx = await browser.newContext({ ...info.project.use, acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  const phone = uniquePhone(info, 7);

  // Register: the number, the code, the account, the consent.
  await page.goto('/register?community=qianggen');
  if (jsOn(info)) await hydrated(page);
  await shot(page, info, 'register-phone-step');
  await verifyPhone(page, info, phone);
  await page.getByLabel('称呼').fill('钱阿姨');
  await page.getByLabel('楼栋').selectOption({ label: '3号楼' });
  await page.getByLabel('单元').fill('2');
  await page.getByLabel('门牌号').fill('501');
  await page.getByLabel('密码', { exact: true }).fill('qianayi2026');
  await page.getByLabel('再次输入密码').fill('qianayi2026');
  // Without the consent: refused, explained.
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page.locator('[data-error-for=consent]')).toContainText('隐私说明');
  await typeCode(page);
  await page.getByLabel('密码', { exact: true }).fill('qianayi2026');
  await page.getByLabel('再次输入密码').fill('qianayi2026');
  await agree(page);
  await page.getByRole('button', { name: '注册' }).click();
  await expect(page).toHaveURL(/\/me$/);
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page).toHaveURL(/\/$/);

  // Forgot the password: a code to the phone, a new password, every session ended.
  await page.goto('/login');
  await page.getByRole('link', { name: '忘记密码？' }).click();
  await expect(page).toHaveURL(/\/forgot$/);
  if (jsOn(info)) await hydrated(page);
  await page.getByLabel('手机号').fill(phone);
  await page.getByRole('button', { name: '获取验证码' }).click();
  await page.locator('[data-demo-code]').waitFor();
  if (jsOn(info)) await hydrated(page);
  await typeCode(page);
  await page.getByLabel('新密码').fill('xinmima2026');
  await page.getByLabel('再次输入密码').fill('xinmima2026');
  await shot(page, info, 'forgot-code');
  await page.getByRole('button', { name: '设置新密码' }).click();
  await expect(page).toHaveURL(/\/login\?reset=1$/);
  await expect(page.getByRole('status')).toContainText('密码已重设');
  if (jsOn(info)) await hydrated(page);
  await page.getByLabel('手机号').fill(phone);
  await page.getByLabel('密码').fill('xinmima2026');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page).toHaveURL(/\/me$/);

  // My personal data: the consent, the download, who looked.
  await page.getByRole('link', { name: '我的个人信息' }).click();
  await expect(page).toHaveURL(/\/me\/privacy$/);
  if (jsOn(info)) await hydrated(page);
  await expect(page.getByText('您已同意的隐私说明版本')).toBeVisible();
  await expect(page.getByText('还没有工作人员查看过')).toBeVisible();
  await shot(page, info, 'my-privacy');
  // The same page in elder mode (large type), then back.
  await page.goto('/me');
  await page.getByRole('button', { name: '开启长辈模式' }).click();
  await expect(page.locator('html')).toHaveClass(/elder/);
  await page.goto('/me/privacy');
  if (jsOn(info)) await hydrated(page);
  await shot(page, info, 'my-privacy-elder');
  await page.goto('/me');
  await page.getByRole('button', { name: '关闭长辈模式' }).click();
  await expect(page.locator('html')).not.toHaveClass(/elder/);
  await page.goto('/me/privacy');
  if (jsOn(info)) await hydrated(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: '下载我的全部信息（ZIP）' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('my-community-data.zip');
  const bytes = fs.readFileSync(await download.path());
  expect(bytes.subarray(0, 2).toString()).toBe('PK');
  expect(bytes.includes(Buffer.from('account.json'))).toBe(true);

  // Delete the account: confirmed by a code; a receipt.
  const del = page.locator('#delete');
  await del.getByRole('button', { name: '获取验证码' }).click();
  await page.locator('#delete [data-demo-code]').waitFor();
  if (jsOn(info)) await hydrated(page);
  await typeCode(page);
  await shot(page, info, 'delete-account');
  await page.getByRole('button', { name: '确认注销' }).click();
  await expect(page).toHaveURL(/\/account-deleted$/);
  await expect(page.locator('[data-receipt]')).toHaveAttribute('data-receipt', /^MC-\d+-\d+$/);
  await shot(page, info, 'account-deleted');
  // Gone: the old password does nothing.
  await page.goto('/login');
  if (jsOn(info)) await hydrated(page);
  await page.getByLabel('手机号').fill(phone);
  await page.getByLabel('密码').fill('xinmima2026');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  expect(errors).toEqual([]);
  await ctx.close();
});

test('a staff login on a new browser asks for the code; the station confirms a new address', async ({ browser }, info) => {
  const name = `孙新户${info.project.name === 'hydrated' ? '甲' : '乙'}`;
  const resident = await browser.newContext({ ...info.project.use });
  const r = await resident.newPage();
  await r.goto('/register?community=qianggen');
  if (jsOn(info)) await hydrated(r);
  await verifyPhone(r, info, uniquePhone(info, 8));
  await r.getByLabel('称呼').fill(name);
  await r.getByLabel('楼栋').selectOption({ label: '3号楼' });
  await r.getByLabel('单元').fill('4');
  await r.getByLabel('门牌号').fill('402');
  await r.getByLabel('密码', { exact: true }).fill('sunxinhu2026');
  await r.getByLabel('再次输入密码').fill('sunxinhu2026');
  await agree(r);
  await r.getByRole('button', { name: '注册' }).click();
  await expect(r).toHaveURL(/\/me$/);
  await resident.close();

  const ctx = await browser.newContext({ ...info.project.use });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto('/login');
  if (jsOn(info)) await hydrated(page);
  await page.getByLabel('手机号').fill('13800000008');
  await page.getByLabel('密码').fill('shequ2026');
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/login\/verify/);
  await expect(page.locator('[data-code-sent]')).toContainText('138****0008');
  await shot(page, info, 'staff-second-factor');
  if (jsOn(info)) await hydrated(page);
  await typeCode(page);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/station$/);

  // The households list in elder mode too.
  await page.goto('/me');
  await page.getByRole('button', { name: '开启长辈模式' }).click();
  await expect(page.locator('html')).toHaveClass(/elder/);
  await page.goto('/station');
  await page.getByRole('link', { name: '住户核实' }).first().click();
  await expect(page).toHaveURL(/\/station\/households$/);
  if (jsOn(info)) await hydrated(page);
  const line = page.locator('li[data-household]', { hasText: name });
  await line.getByRole('checkbox').check();
  await shot(page, info, 'households');
  await page.getByRole('button', { name: '确认所选住址' }).click();
  await expect(page.getByRole('status')).toContainText('已确认住址： 1');
  await expect(page.locator('li[data-household]', { hasText: name })).toHaveCount(0);
  await page.goto('/me');
  await page.getByRole('button', { name: '关闭长辈模式' }).click();
  expect(errors).toEqual([]);
  await ctx.close();
});
