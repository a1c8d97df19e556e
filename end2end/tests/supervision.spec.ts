import { test } from '@playwright/test';
import { RESIDENT, expect, jsOn, hydrated, shot, signedIn, watchErrors } from './helpers';

const SUBDISTRICT_ADMIN = '13800000006';
const STATIONMASTER = '13800000004';

// 督办: the subdistrict urges a case with a date to answer by; the station sees it on its
// case page (the board's tag is checked by the server test), answers there, and the subdistrict reads the answer. JavaScript on and off.
test('the subdistrict urges a case and the station answers', async ({ browser }, info) => {
  const resident = await signedIn(browser, info, RESIDENT);
  const run = `${info.project.name}${Date.now()}`;
  const res = await resident.page.request.post('/api/demands/post', {
    headers: { Accept: 'application/json', Origin: new URL(resident.page.url()).origin },
    multipart: {
      idempotency_key: `supervise-${run}`.padEnd(16, '0'),
      affair: 'drain-manhole',
      description: `楼下井盖堵了，污水外溢 ${run}`,
      place: 'home',
      urgency: 'normal',
      visibility: 'private',
      contact_time: 'evening',
    },
  });
  expect(res.status(), await res.text()).toBeLessThan(400);
  const demand = (res.headers()['location'] ?? '').replace('/demands/', '');
  expect(demand).toMatch(/^\d+$/);
  await resident.ctx.close();

  const admin = await signedIn(browser, info, SUBDISTRICT_ADMIN);
  const errors = watchErrors(admin.page);
  const a = admin.page;
  await a.goto('/station/supervision');
  await expect(a.getByLabel('查看')).toHaveValue('overdue');
  await shot(a, info, 'supervision-list');
  await a.goto(`/demands/${demand}`);
  if (jsOn(info)) await hydrated(a);
  const form = a.getByTestId('urge-form');
  // Blank words: the error beside the field.
  await form.getByLabel('督办意见').fill('   ');
  await form.getByRole('button', { name: '督办' }).click();
  await expect(a.locator('[data-error-for="note"]').first()).toContainText('必填');
  await a.getByTestId('urge-form').getByLabel('督办意见').fill(`请两日内说明处置进度 ${run}`);
  await a.getByTestId('urge-form').getByRole('button', { name: '督办' }).click();
  await expect(a.getByTestId('supervision').getByTestId('urge-state').first()).toHaveText('待答复');
  await expect(a.getByTestId('urge-form')).toHaveCount(0);
  await shot(a, info, 'supervision-urged');

  const station = await signedIn(browser, info, STATIONMASTER);
  const s = station.page;
  await s.goto(`/demands/${demand}`);
  if (jsOn(info)) await hydrated(s);
  await expect(s.getByTestId('supervision')).toContainText(run);
  await s.getByLabel('答复督办（写明已做什么、何时办结）').fill('已派养护队，明天上午疏通。');
  await s.getByRole('button', { name: '提交答复' }).click();
  await expect(s.getByTestId('urge-answer')).toContainText('已派养护队');
  await expect(s.getByTestId('answer-form')).toHaveCount(0);
  await shot(s, info, 'supervision-answered');
  await station.ctx.close();

  await a.goto('/station/supervision?filter=urged');
  await expect(a.locator(`.supervision-list a[href="/demands/${demand}"]`)).toHaveCount(0);
  await a.goto(`/demands/${demand}`);
  await expect(a.getByTestId('urge-answer')).toContainText('已派养护队');
  expect(errors).toEqual([]);
  await admin.ctx.close();
});
