import { Browser, BrowserContext, Page, test } from '@playwright/test';
import { DEMO_PASSWORD, RESIDENT, SOCIAL_WORKER, expect, hydrated, jsOn, shot, signedIn, watchErrors } from './helpers';

test('book a time at the station with the documents checklist, get the calendar file, cancel', async ({ browser }, info) => {
  const resident = await signedIn(browser, info, RESIDENT);
  const p = resident.page;
  const errors = watchErrors(p);
  await p.goto('/services/residence-proof');
  await p.getByRole('link', { name: '预约到服务站办理' }).click();
  await expect(p).toHaveURL(/\/appointments\?affair=residence-proof/);
  if (jsOn(info)) await hydrated(p);
  await expect(p.getByTestId('checklist')).toContainText('请携带');
  // A later time of the day shown, not the first (late in the day fewer are left).
  const slots = p.locator('.slot');
  await expect(slots.first()).toBeVisible();
  const slot = slots.nth(Math.min(3, (await slots.count()) - 1));
  const time = (await slot.locator('span').innerText()).trim();
  await slot.click();
  await shot(p, info, 'appointments-book');
  await p.getByRole('button', { name: '预约', exact: true }).click();
  await p.waitForURL(/\/appointments\/\d+$/);
  await expect(p.getByTestId('booking-status')).toHaveText('已预约');
  await expect(p.getByTestId('booking-time')).toContainText(time);
  await expect(p.getByTestId('checklist')).toBeVisible();
  const href = await p.getByRole('link', { name: '加入日历（.ics）' }).getAttribute('href');
  const ics = await p.request.get(href!);
  expect(ics.headers()['content-type']).toContain('text/calendar');
  const text = await ics.text();
  expect(text).toContain('TZID=Asia/Shanghai');
  expect(text).toContain(`T${time.replace(':', '')}00`);
  await shot(p, info, 'appointment-booked');
  await p.getByRole('button', { name: '取消预约' }).click();
  await p.waitForURL(/\/appointments$/);
  await expect(p.getByTestId('my-booking').filter({ hasText: time })).toHaveCount(0);
  expect(errors).toEqual([]);
  await resident.ctx.close();
});

test('staff keep the day: check-in, follow-up work item, no-show, walk-in', async ({ browser }, info) => {
  test.setTimeout(60_000);
  // A resident books; the station checks them in and opens a follow-up work item.
  const resident = await signedIn(browser, info, RESIDENT);
  const r = resident.page;
  await r.goto('/appointments?affair=party-certificate');
  await r.locator('.slot').first().click();
  await r.getByRole('button', { name: '预约', exact: true }).click();
  await r.waitForURL(/\/appointments\/\d+$/);
  const when = (await r.getByTestId('booking-time').innerText()).trim();
  const date = when.slice(0, 10);
  const hhmm = when.slice(11, 16);

  const worker = await signedIn(browser, info, SOCIAL_WORKER);
  const w = worker.page;
  await w.goto(`/station/appointments?date=${date}`);
  const line = () => w.getByTestId('day-line').filter({ hasText: '138****0001' }).filter({ hasText: hhmm }).filter({ hasText: '已预约' }).first();
  await expect(line()).toBeVisible();
  await line().getByRole('button', { name: '到场' }).click();
  const arrived = w.getByTestId('day-line').filter({ hasText: '138****0001' }).filter({ hasText: hhmm }).filter({ hasText: '已到场' }).last();
  await expect(arrived).toBeVisible();
  await arrived.getByRole('button', { name: '转为工单' }).click();
  await expect(w.getByTestId('day-line').filter({ hasText: '138****0001' }).filter({ hasText: hhmm }).last().getByRole('link', { name: /诉求 #\d+/ })).toBeVisible();

  // Today: the seeded booking started a few minutes ago and nobody came.
  await w.goto('/station/appointments');
  const seeded = () => w.getByTestId('day-line').filter({ hasText: '138****0012' }).first();
  if (info.project.name === 'hydrated') await seeded().getByRole('button', { name: '未到' }).click();
  await expect(seeded().getByTestId('day-status')).toHaveText('未到');
  // A walk-in is served at once.
  await w.locator('summary', { hasText: '现场办理（未预约）' }).click();
  await w.getByLabel('手机号').fill('13800000011');
  await w.getByRole('button', { name: '现场办理（未预约）' }).click();
  await expect(w.getByTestId('day-line').filter({ hasText: '138****0011' }).last().getByTestId('day-status')).toHaveText('已到场');
  await shot(w, info, 'station-day');
  await resident.ctx.close();
  await worker.ctx.close();
});
