import { Browser, BrowserContext, Page, test } from '@playwright/test';
import * as fs from 'fs';
import { DEMO_PASSWORD, SOCIAL_WORKER, expect, hydrated, jsOn, shot, signedIn, watchErrors } from './helpers';

const STATIONMASTER = '13800000004';
const SUBDISTRICT_ADMIN = '13800000006';
const RESIDENT_A = '13800000012';
const RESIDENT_B = '13800000011';

/** "12 / 15" → [12, 15] */
async function fraction(page: Page, testId: string): Promise<[number, number]> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  const m = text.match(/(\d+)\s*\/\s*(\d+)/);
  expect(m, `${testId}: ${text}`).not.toBeNull();
  return [Number(m![1]), Number(m![2])];
}

test('a closed and rated case moves the dashboard; the CSV downloads with a BOM', async ({ browser }, info) => {
  test.setTimeout(90_000);
  const master = await signedIn(browser, info, STATIONMASTER);
  const m = master.page;
  const errors = watchErrors(m);
  await m.goto('/station/dashboard?period=week');
  await expect(m.getByRole('heading', { name: '响应率' })).toBeVisible();
  await expect(m.getByRole('heading', { name: '解决率' })).toBeVisible();
  await expect(m.getByRole('heading', { name: '满意率' })).toBeVisible();
  const satisfactionBefore = await fraction(m, 'rate-satisfaction-fraction');
  const resolutionBefore = await fraction(m, 'rate-resolution-fraction');

  // A resident posts; the worker accepts and resolves; the resident confirms and rates it.
  const resident = await signedIn(browser, info, RESIDENT_A);
  const r = resident.page;
  await r.goto('/services/residence-proof');
  await r.getByRole('link', { name: '就此事发布诉求' }).click();
  if (jsOn(info)) await hydrated(r);
  await r.getByLabel('诉求描述').fill(`开具居住证明 ${info.project.name} ${Date.now()}`);
  await r.getByRole('button', { name: '提交' }).click();
  await r.waitForURL(/\/demands\/\d+$/);
  const demandUrl = r.url();
  const worker = await signedIn(browser, info, SOCIAL_WORKER);
  const w = worker.page;
  await w.goto(demandUrl);
  if (jsOn(info)) await hydrated(w);
  await w.getByRole('button', { name: '受理' }).first().click();
  await expect(w.getByTestId('state')).toHaveText('已受理');
  if (jsOn(info)) await hydrated(w);
  await w.getByRole('button', { name: '办结' }).click();
  await expect(w.getByTestId('state')).toHaveText('已办结待确认');
  await r.goto(demandUrl);
  if (jsOn(info)) await hydrated(r);
  await r.getByRole('button', { name: '确认已解决' }).click();
  await expect(r.getByTestId('state')).toHaveText('已关闭');
  const rating = r.getByTestId('rating');
  for (const line of ['总体评价', '办理及时', '服务态度', '解决效果']) {
    await rating.getByRole('group', { name: line }).getByLabel('非常满意', { exact: true }).check();
  }
  await rating.getByRole('button', { name: '提交评价' }).click();
  await expect(r.getByTestId('rated')).toContainText('非常满意');

  // The dashboard counts it: one more resolved, one more satisfied rating.
  await m.goto('/station/dashboard?period=week');
  expect(await fraction(m, 'rate-satisfaction-fraction')).toEqual([satisfactionBefore[0] + 1, satisfactionBefore[1] + 1]);
  expect(await fraction(m, 'rate-resolution-fraction')).toEqual([resolutionBefore[0] + 1, resolutionBefore[1] + 1]);
  await expect(m.locator('svg.gauge').first()).toBeVisible();
  await expect(m.getByTestId('worker-table')).toBeVisible();
  await shot(m, info, 'dashboard');

  // The work items as CSV: UTF-8 with a BOM, Chinese headers.
  const [download] = await Promise.all([m.waitForEvent('download'), m.getByRole('link', { name: '导出工单（CSV）' }).click()]);
  const file = await download.path();
  const bytes = fs.readFileSync(file!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(bytes.subarray(3).toString('utf8').split('\n')[0]).toContain('编号,社区,类型,事项');

  // A subdistrict admin sees the ranking of its communities, with the seeded history.
  const admin = await signedIn(browser, info, SUBDISTRICT_ADMIN);
  await admin.page.goto('/station/dashboard?period=month');
  // Qianggen and Hetaoyuan, and any community the team test added meanwhile.
  await expect(admin.page.getByTestId('rank-line').nth(1)).toBeVisible();
  await expect(admin.page.getByTestId('fig-posted')).not.toHaveText('0');
  await shot(admin.page, info, 'dashboard-ranking');
  expect(errors).toEqual([]);
  for (const x of [master, resident, worker, admin]) await x.ctx.close();
});

test('a questionnaire built by the station, answered by two residents, shows its results', async ({ browser }, info) => {
  test.setTimeout(90_000);
  const master = await signedIn(browser, info, STATIONMASTER);
  const m = master.page;
  const errors = watchErrors(m);
  const title = `楼道照明满意度 ${info.project.name} ${Date.now()}`;
  await m.goto('/station/surveys/new');
  if (jsOn(info)) await hydrated(m);
  await m.getByLabel('问卷标题').fill(title);
  await m.locator('#q0-prompt').fill('您家楼道的灯晚上亮吗？');
  await m.locator('#q0-kind').selectOption('single');
  await m.locator('#q0-options').fill('都亮\n部分不亮\n全不亮');
  await m.getByTestId('question-slot').first().getByLabel('必答').check();
  await m.locator('#q1-prompt').fill('对物业维修的评分');
  await m.locator('#q1-kind').selectOption('scale');
  await m.getByRole('button', { name: '发布问卷' }).click();
  await m.waitForURL(/\/station\/surveys\/\d+$/);
  const id = m.url().match(/(\d+)$/)![1];
  await expect(m.getByTestId('response-total')).toHaveText('0');

  for (const [phone, choice, score] of [[RESIDENT_A, '部分不亮', '2'], [RESIDENT_B, '都亮', '4']]) {
    const resident = await signedIn(browser, info, phone);
    const r = resident.page;
    await r.goto('/');
    await expect(r.getByTestId('survey-invite')).toBeVisible();
    await r.goto(`/surveys/${id}`);
    if (jsOn(info)) await hydrated(r);
    await expect(r.getByTestId('survey-title')).toHaveText(title);
    await r.getByTestId('question').nth(0).getByLabel(choice, { exact: true }).check();
    await r.getByTestId('question').nth(1).getByLabel(score, { exact: true }).check();
    if (phone === RESIDENT_A) await shot(r, info, 'survey-answer');
    await r.getByRole('button', { name: '提交问卷' }).click();
    await expect(r.getByTestId('survey-thanks')).toBeVisible();
    await resident.ctx.close();
  }

  await m.goto(`/station/surveys/${id}`);
  await expect(m.getByTestId('response-total')).toHaveText('2');
  const first = m.getByTestId('result').first();
  await expect(first.locator('svg.bars')).toBeVisible();
  await expect(first.locator('svg.bars desc')).toContainText('都亮 1（50%）');
  await expect(m.getByTestId('scale-mean')).toHaveText('3.00');
  await shot(m, info, 'survey-results');
  const [download] = await Promise.all([m.waitForEvent('download'), m.getByRole('link', { name: '导出答卷（CSV）' }).click()]);
  const text = fs.readFileSync((await download.path())!).toString('utf8');
  expect(text.charCodeAt(0)).toBe(0xfeff);
  expect(text.trim().split('\n')).toHaveLength(3);
  expect(errors).toEqual([]);
  await master.ctx.close();
});
