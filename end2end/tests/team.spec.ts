import { test } from '@playwright/test';
import { expect, hydrated, jsOn, secondFactor, shot, signedIn, uniquePhone, watchErrors } from './helpers';

test('the stationmaster opens an account; its holder activates it with the code and logs in', async ({ browser }, info) => {
  const { ctx, page } = await signedIn(browser, info, '13800000004');
  const errors = watchErrors(page);
  const phone = uniquePhone(info, 7);
  const name = info.project.name === 'hydrated' ? '孙社工' : '钱社工';
  await page.goto('/station');
  await page.getByRole('link', { name: '人员账号' }).first().click();
  await expect(page).toHaveURL(/\/station\/team$/);
  // A bad number first: the error beside the field, the name kept.
  await page.getByLabel('姓名').fill(name);
  await page.getByLabel('手机号').fill('12345');
  await page.getByRole('button', { name: '开设账号' }).click();
  await expect(page.locator('[data-error-for="phone"]')).not.toBeEmpty();
  await expect(page.getByLabel('姓名')).toHaveValue(name);
  await page.getByLabel('手机号').fill(phone);
  await page.getByLabel('岗位').selectOption('social_worker');
  await page.getByRole('button', { name: '开设账号' }).click();
  const shown = page.locator('[data-activation-code] [data-code]');
  await expect(shown).toHaveText(/^\d{8}$/);
  const code = (await shown.textContent()) ?? '';
  const line = page.locator('li[data-member]', { hasText: name });
  await expect(line).toHaveAttribute('data-state', 'pending');
  await expect(line).toContainText('待激活');
  await expect(page.locator('.change-log li').first()).toContainText(name);
  await shot(page, info, 'team-code');
  // The code shows once: a reload does not show it again.
  await page.reload();
  await expect(page.locator('[data-activation-code]')).toHaveCount(0);

  // The holder, in a browser of their own.
  const holder = await browser.newContext({ ...info.project.use });
  const p = await holder.newPage();
  const herErrors = watchErrors(p);
  await p.goto('/login');
  await p.getByRole('link', { name: '工作人员：用激活码激活账号' }).click();
  if (jsOn(info)) await hydrated(p);
  await p.getByLabel('手机号').fill(phone);
  await p.getByLabel('激活码').fill(code === '00000000' ? '11111111' : '00000000');
  await p.getByLabel('新密码').fill('shegong2027');
  await p.getByLabel('再次输入密码').fill('shegong2027');
  await p.getByRole('button', { name: '激活并设置密码' }).click();
  await expect(p.locator('[data-error-for="code"]')).toContainText('激活码');
  await shot(p, info, 'activate-wrong-code');
  await p.getByLabel('激活码').fill(code);
  await p.getByLabel('新密码').fill('shegong2027');
  await p.getByLabel('再次输入密码').fill('shegong2027');
  await p.getByRole('button', { name: '激活并设置密码' }).click();
  await expect(p).toHaveURL(/\/login\?activated=1/);
  await expect(p.getByRole('status')).toContainText('账号已激活');
  if (jsOn(info)) await hydrated(p);
  await p.getByLabel('手机号').fill(phone);
  await p.getByLabel('密码').fill('shegong2027');
  await p.getByRole('button', { name: '登录' }).click();
  await secondFactor(p, info);
  await p.waitForURL(/\/station$/);
  expect(herErrors).toEqual([]);
  await holder.close();

  // Back on the team page: active; the stationmaster takes them off duty.
  await page.reload();
  await expect(line).toHaveAttribute('data-state', 'active');
  await line.getByRole('button', { name: '排班下岗' }).click();
  await expect(line).toContainText('不在岗');
  await shot(page, info, 'team');
  expect(errors).toEqual([]);
  await ctx.close();
});

test('the subdistrict admin adds a department and a community; a shared partner directory is pasted on the set-up page', async ({ browser }, info) => {
  const { ctx, page } = await signedIn(browser, info, '13800000006');
  const errors = watchErrors(page);
  const code = `e2e-${info.project.name}`;
  await page.goto('/station/team?unit=guanganmenwai');
  const departments = page.locator('form', { has: page.getByLabel('部门代码') });
  await departments.getByLabel('名称（中文）').fill(`供热办 ${info.project.name}`);
  await departments.getByLabel('部门代码').fill(code);
  await departments.getByLabel('名称（英文）').fill('Heating office');
  await departments.getByRole('button', { name: '保存' }).click();
  await expect(page.locator(`li[data-department="${code}"]`)).toContainText('供热办');
  await expect(page.locator('.change-log li').first()).toContainText(code);
  await shot(page, info, 'team-departments');

  // A new community of the subdistrict: a code another region holds is refused, the names kept.
  const regions = page.locator('form[data-region-form]');
  await regions.getByLabel('区划代码').fill('yuetan');
  await regions.getByLabel('名称（中文）').fill(`广外新社区 ${info.project.name}`);
  await regions.getByLabel('名称（英文）').fill('New Community');
  await regions.getByRole('button', { name: '保存' }).click();
  await expect(page.locator('form[data-region-form] [data-error-for="region_code"]')).toContainText('已被其他区划使用');
  await expect(page.locator('form[data-region-form]').getByLabel('名称（中文）')).toHaveValue(`广外新社区 ${info.project.name}`);
  await page.locator('form[data-region-form]').getByLabel('区划代码').fill(code);
  await page.locator('form[data-region-form]').getByRole('button', { name: '保存' }).click();
  const added = page.locator(`li[data-region="${code}"]`);
  await expect(added).toContainText('广外新社区');
  await expect(page.locator('.change-log li').first()).toContainText('区划');
  await shot(page, info, 'team-regions');
  await added.getByRole('link').click();
  await expect(page.locator('h2', { hasText: '广外新社区' })).toBeVisible();

  await page.goto('/station/setup?community=hetaoyuan');
  const list = `便民网点\t${code}\t修鞋配钥匙 ${info.project.name}\t修鞋、配钥匙\t13912345678\t南门`;
  const paste = () => page.locator('form', { has: page.getByLabel('合作单位列表') });
  await paste().getByLabel('合作单位列表').fill(`${list}\nshop,x,某店,卖东西,1,北门`);
  await paste().getByRole('button', { name: '保存' }).click();
  await expect(page.locator('[data-bad-partner-lines]')).toContainText('2');
  await paste().getByLabel('合作单位列表').fill(list);
  // Into the subdistrict's directory: every station of it may refer to the partner.
  await paste().getByLabel('录入街道共享目录').check();
  await paste().getByRole('button', { name: '保存' }).click();
  await expect(page.getByRole('status')).toContainText('已保存');
  await expect(page.locator(`li[data-partner="${code}"][data-shared]`)).toContainText('街道共享');
  await page.goto('/station/setup?community=qianggen');
  await expect(page.locator(`li[data-partner="${code}"][data-shared]`)).toContainText('修鞋配钥匙');
  await shot(page, info, 'setup-partners');
  expect(errors).toEqual([]);
  await ctx.close();
});
