import { test } from '@playwright/test';
import { RESIDENT, expect, hydrated, jsOn, shot, signedIn, watchErrors } from './helpers';

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
