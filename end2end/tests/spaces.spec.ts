import { test } from '@playwright/test';
import { RESIDENT, expect, jsOn, hydrated, shot, signedIn, watchErrors } from './helpers';

const STATIONMASTER = '13800000004';

// Rooms and things: a resident books a room that the station approves; the station decides
// on its desk; the resident sees the decision and cancels. JavaScript on and off (each
// project its own room, so the two never meet on one day).
test('a resident books a room and the station approves it', async ({ browser }, info) => {
  const room = jsOn(info) ? 'activity-room' : 'meeting-room';
  const run = `${info.project.name}${Date.now()}`;
  const { ctx, page } = await signedIn(browser, info, RESIDENT);
  const errors = watchErrors(page);
  // The list has no form to enhance (no island): nothing to wait for.
  await page.goto('/spaces');
  await shot(page, info, 'spaces-list');
  await page.locator(`[data-space="${room}"] a`).click();
  await expect(page).toHaveURL(new RegExp(`/spaces/${room}`));
  await page.getByLabel('使用时长').selectOption('2');
  await page.getByRole('button', { name: '查看可约时段' }).click();
  await expect(page).toHaveURL(/hours=2/);
  if (jsOn(info)) await hydrated(page);
  // No time chosen: told beside the times; what was typed is kept.
  await page.getByLabel('用途').fill(`书法小组练习 ${run}`);
  await page.getByLabel('人数').fill('12');
  await page.getByRole('button', { name: '预约', exact: true }).click();
  await expect(page.locator('[data-error-for="start"]')).not.toBeEmpty();
  await expect(page.getByLabel('用途')).toHaveValue(`书法小组练习 ${run}`);
  await page.locator('.day-slots input[type="radio"]').first().check();
  await shot(page, info, 'space-times');
  await page.getByRole('button', { name: '预约', exact: true }).click();
  await expect(page).toHaveURL(/\/spaces\/bookings\/\d+$/);
  await expect(page.getByTestId('space-status')).toHaveText('待审核');
  const booking = page.url();

  // The station approves it on its desk.
  const master = await signedIn(browser, info, STATIONMASTER);
  await master.page.goto('/station/spaces');
  if (jsOn(info)) await hydrated(master.page);
  const line = master.page.getByTestId('space-line').filter({ hasText: run });
  await expect(line).toHaveCount(1);
  await expect(line).toContainText('****');
  await shot(master.page, info, 'spaces-desk');
  await line.getByLabel('说明（不通过时必填）').fill('钥匙在服务站前台领取');
  await line.getByRole('button', { name: '通过', exact: true }).click();
  await expect(master.page.getByTestId('space-line').filter({ hasText: run })).toContainText('已确认');
  await master.ctx.close();

  await page.goto(booking);
  await expect(page.getByTestId('space-status')).toHaveText('已确认');
  await expect(page.getByTestId('space-note')).toContainText('钥匙在服务站前台领取');
  await shot(page, info, 'space-booking');
  await page.getByRole('button', { name: '取消预约' }).click();
  await expect(page.getByTestId('space-status')).toHaveText('已取消');
  expect(errors).toEqual([]);
  await ctx.close();
});
