import { Page, TestInfo, test } from '@playwright/test';
import { RESIDENT, SOCIAL_WORKER, expect, hydrated, jsOn, shot, signedIn, watchErrors } from './helpers';

// Duplicates and "me too": a neighbour about to report what was reported sees it (as they
// type with JavaScript, after a first try without) and joins it instead of posting again.
const NEIGHBOUR = '13800000011';

test('a neighbour about to report the same incident joins it: me too', async ({ browser }, info) => {
  test.setTimeout(90_000);
  const marker = `${info.project.name}${Date.now() % 100000}`;
  const { ctx, page: r } = await signedIn(browser, info, RESIDENT);
  await r.goto('/post');
  if (jsOn(info)) await hydrated(r);
  await r.getByLabel('诉求描述').fill(`小区东门口井盖没了，晚上很危险 ${marker}`);
  await r.getByLabel('社区公共区域').check();
  await r.getByLabel('具体位置').fill('东门');
  await r.getByLabel('社区居民可见（不显示姓名和门牌号）').check();
  // One's own reports are never offered back: it goes through.
  await r.getByRole('button', { name: '提交' }).click();
  await r.waitForURL(/\/demands\/\d+$/);
  const reportUrl = new URL(r.url()).pathname;
  await ctx.close();

  const { ctx: nctx, page: n } = await signedIn(browser, info, NEIGHBOUR);
  const errors = watchErrors(n);
  await n.goto('/post');
  if (jsOn(info)) await hydrated(n);
  await n.getByLabel('诉求描述').fill(`东大门那个下水井盖丢了 好大一个窟窿 ${marker}`);
  await n.getByLabel('社区公共区域').check();
  await n.getByLabel('具体位置').fill('东大门');
  const list = n.getByTestId('similar');
  if (!jsOn(info)) {
    // Without JavaScript the server shows them after a first try, keeping what was typed.
    await n.getByRole('button', { name: '提交' }).click();
    await expect(n.getByText('邻居已经反映过相似的问题').first()).toBeVisible();
    await expect(n.getByLabel('诉求描述')).toHaveValue(/东大门/);
  }
  const ours = list.locator('.similar-item').filter({ hasText: marker });
  await expect(ours).toBeVisible();
  await expect(list).not.toContainText('王秀兰');
  await shot(n, info, 'me-too-similar');
  await ours.getByRole('button', { name: '我也遇到了' }).click();
  await n.waitForURL((u) => u.pathname === reportUrl);
  await expect(n.getByTestId('me-too-you')).toBeVisible();
  await expect(n.getByTestId('me-too-count')).toContainText('1');
  await expect(n.getByTestId('me-too')).toHaveCount(0);
  if (jsOn(info)) await hydrated(n);
  await shot(n, info, 'me-too-joined');
  expect(errors).toEqual([]);
  await nctx.close();
});

/** Files a demand about a public place and returns its path. */
async function report(page: Page, info: TestInfo, text: string): Promise<string> {
  await page.goto('/post');
  if (jsOn(info)) await hydrated(page);
  await page.getByLabel('诉求描述').fill(text);
  await page.getByLabel('社区公共区域').check();
  await page.getByLabel('具体位置').fill('北门');
  await page.getByRole('button', { name: '提交' }).click();
  await page.waitForURL(/\/demands\/\d+$/);
  return new URL(page.url()).pathname;
}

test('the station merges a second report of the same incident into the first', async ({ browser }, info) => {
  test.setTimeout(90_000);
  const n = Date.now() % 100000;
  const { ctx, page: r } = await signedIn(browser, info, RESIDENT);
  const first = await report(r, info, `北门的道闸坏了，车出不去 a${n}`);
  await ctx.close();
  const { ctx: nctx, page: nb } = await signedIn(browser, info, NEIGHBOUR);
  const second = await report(nb, info, `小区北边出口栏杆一直不抬 b${n}`);
  await nctx.close();

  const { ctx: sctx, page: s } = await signedIn(browser, info, SOCIAL_WORKER);
  const errors = watchErrors(s);
  await s.goto(second);
  if (jsOn(info)) await hydrated(s);
  await s.getByText('合并到同一件事的诉求').first().click();
  const form = s.getByTestId('merge');
  // Not a number of an open demand here: said (beside the field, or atop the page without
  // JavaScript), nothing merged.
  await form.getByLabel('合并到诉求编号').fill('abc');
  await form.getByRole('button', { name: '合并到同一件事的诉求' }).click();
  await expect(s.getByText('请填写本社区另一条未办结诉求的编号。').first()).toBeVisible();
  await expect(s.getByTestId('merged-into')).toHaveCount(0);
  if (!jsOn(info)) await s.getByText('合并到同一件事的诉求').first().click();
  await s.getByTestId('merge').getByLabel('合并到诉求编号').fill(`#${first.split('/').pop()}`);
  await s.getByTestId('merge').getByRole('button', { name: '合并到同一件事的诉求' }).click();
  await s.waitForURL((u) => u.pathname === first);
  await s.goto(second);
  await expect(s.getByTestId('merged-into')).toContainText(`#${first.split('/').pop()}`);
  await shot(s, info, 'merged');
  expect(errors).toEqual([]);
  await sctx.close();
});
