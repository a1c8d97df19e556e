import { Browser, BrowserContext, Page, test } from '@playwright/test';
import { DEMO_PASSWORD, RESIDENT, SOCIAL_WORKER, expect, hydrated, jsOn, shot, signedIn } from './helpers';

const NEIGHBOUR = '13800000011';
const RESIDENT_3 = '13800000012';

const beijingDate = (days: number) => new Date(Date.now() + 8 * 3600_000 + days * 86400_000).toISOString().slice(0, 10);

test('a volunteer activity fills up, a resident waits, and moves up when someone cancels', async ({ browser }, info) => {
  test.setTimeout(60_000);
  const title = `垃圾分类值守 ${info.project.name} ${Date.now() % 100000}`;
  const worker = await signedIn(browser, info, SOCIAL_WORKER);
  const w = worker.page;
  await w.goto('/activities');
  if (jsOn(info)) await hydrated(w);
  await w.locator('summary', { hasText: '发布志愿活动' }).click();
  await w.getByLabel('活动名称').fill(title);
  await w.getByLabel('话题').selectOption('garbage_sorting');
  await w.getByLabel('地点').fill('3号楼垃圾站');
  await w.getByLabel('日期').fill(beijingDate(2));
  await w.getByLabel('开始时间').fill('07:00');
  await w.getByLabel('结束时间').fill('09:00');
  await w.getByLabel('名额').fill('1');
  await w.getByLabel('计入志愿时长').fill('2');
  await w.getByRole('button', { name: '发布志愿活动' }).click();
  const card = (p: Page) => p.getByTestId('activity').filter({ hasText: title });
  await expect(card(w)).toBeVisible();

  const first = await signedIn(browser, info, RESIDENT);
  await first.page.goto('/activities');
  await card(first.page).getByRole('button', { name: '报名参加' }).click();
  await expect(card(first.page).getByTestId('my-activity-signup')).toHaveText('你已报名。');

  const second = await signedIn(browser, info, NEIGHBOUR);
  await second.page.goto('/activities');
  await card(second.page).getByRole('button', { name: '已满，排队候补' }).click();
  await expect(card(second.page).getByTestId('my-activity-signup')).toContainText('候补名单第 1 位');
  await shot(second.page, info, 'activity-waitlisted');

  await first.page.goto('/activities');
  await card(first.page).getByRole('button', { name: '取消报名' }).click();
  await expect(card(first.page).getByRole('button', { name: '报名参加' })).toHaveCount(0);

  await second.page.goto('/activities');
  await expect(card(second.page).getByTestId('my-activity-signup')).toHaveText('你已报名。');
  await second.page.goto('/notifications');
  await expect(second.page.getByText(`有人取消，你已从候补转为正式报名：${title}`)).toBeVisible();
  await w.goto('/activities');
  await card(w).locator('summary', { hasText: '报名名单' }).click();
  await expect(card(w).getByTestId('attendee')).toHaveCount(1);
  await shot(w, info, 'activity-staff');
  for (const c of [worker, first, second]) await c.ctx.close();
});

test('a resident asks for a home visit and accepts the proposed time', async ({ browser }, info) => {
  test.setTimeout(60_000);
  const resident = await signedIn(browser, info, RESIDENT_3);
  const r = resident.page;
  await r.goto('/me');
  await r.getByRole('link', { name: '上门服务' }).click();
  if (jsOn(info)) await hydrated(r);
  const reason = `需要办理高龄津贴认证 ${info.project.name}`;
  await r.getByLabel('需要办理或帮助的事情').fill(reason);
  await r.getByLabel('希望的时间').selectOption('weekday_morning');
  await r.getByLabel('行动情况').selectOption('wheelchair');
  await r.getByRole('button', { name: '提交' }).click();
  await r.waitForURL(/\/demands\/\d+$/);
  const url = r.url();
  await expect(r.getByTestId('visit')).toContainText('使用轮椅');

  const worker = await signedIn(browser, info, SOCIAL_WORKER);
  const w = worker.page;
  await w.goto(url);
  await w.getByTestId('visit').getByLabel('日期').fill(beijingDate(3));
  await w.getByTestId('visit').getByLabel('开始时间').fill('10:00');
  await w.getByRole('button', { name: '提议上门时间' }).click();
  await expect(w.getByTestId('proposal')).toContainText('10:00');

  await r.goto(url);
  await r.getByRole('button', { name: '确认这个时间' }).click();
  await expect(r.getByTestId('proposal')).toContainText('已确认');
  await expect(r.getByTestId('state')).toHaveText('待上门');
  await shot(r, info, 'home-visit-agreed');

  await w.goto(url);
  await w.getByLabel('上门结果').fill('已上门完成认证。');
  await w.getByRole('button', { name: '保存' }).click();
  await expect(w.getByTestId('visit-outcome')).toContainText('已上门完成认证');
  for (const c of [resident, worker]) await c.ctx.close();
});
