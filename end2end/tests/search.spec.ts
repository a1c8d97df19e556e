import { test } from '@playwright/test';
import { RESIDENT, SOCIAL_WORKER, expect, hydrated, jsOn, shot, signedIn, watchErrors } from './helpers';

// Search: a neighbour types 低保 in the community's list and finds a report written in the
// official words (最低生活保障); the filters narrow it; the station finds it too.
const NEIGHBOUR = '13800000011';

test('a neighbour finds a shown demand by its words; the station by the same search', async ({ browser }, info) => {
  test.setTimeout(90_000);
  // Latin letters make a word of their own: the marker keeps each run's report apart.
  const marker = `zz${info.project.name}${Date.now() % 100000}`;
  const { ctx, page: r } = await signedIn(browser, info, RESIDENT);
  await r.goto('/post');
  if (jsOn(info)) await hydrated(r);
  await r.getByLabel('诉求描述').fill(`家里老人想申请最低生活保障，需要准备哪些材料 ${marker}`);
  await r.getByLabel('社区居民可见（不显示姓名和门牌号）').check();
  await r.getByRole('button', { name: '提交' }).click();
  // A similar report of an earlier run may be offered first (without JavaScript): post anyway.
  await Promise.race([r.waitForURL(/\/demands\/\d+$/), r.getByTestId('similar').waitFor()]);
  if (!new URL(r.url()).pathname.match(/\/demands\/\d+$/)) {
    await r.getByRole('button', { name: '提交' }).click();
    await r.waitForURL(/\/demands\/\d+$/);
  }
  const reportUrl = new URL(r.url()).pathname;
  await ctx.close();

  const { ctx: nctx, page: n } = await signedIn(browser, info, NEIGHBOUR);
  const errors = watchErrors(n);
  // These pages have no island (a plain GET form): nothing to hydrate, the same with or
  // without JavaScript.
  await n.goto('/neighbourhood');
  await n.getByRole('searchbox', { name: '搜索诉求和议事' }).fill(`低保 ${marker}`);
  await n.getByRole('searchbox', { name: '搜索诉求和议事' }).press('Enter');
  await n.waitForURL(/\/search\?/);
  const result = n.locator('.demand-line').filter({ hasText: marker });
  await expect(result).toHaveCount(1);
  await expect(result).toContainText('最低生活保障');
  await expect(n.getByRole('main')).not.toContainText('王秀兰');
  await shot(n, info, 'search-results');
  // Only what is still being handled: it is; resolved or closed: it is not.
  await n.locator('summary', { hasText: '筛选' }).click();
  await n.getByLabel('全部状态').selectOption({ label: '已解决或办结' });
  await n.getByRole('button', { name: '筛选' }).click();
  await expect(n.getByTestId('search-nothing')).toBeVisible();
  await n.getByLabel('全部状态').selectOption({ label: '处理中' });
  await n.getByRole('button', { name: '筛选' }).click();
  await expect(n.locator('.demand-line').filter({ hasText: marker })).toHaveCount(1);
  await shot(n, info, 'search-filtered');
  await n.locator('.demand-line').filter({ hasText: marker }).getByRole('link').click();
  await n.waitForURL((u) => u.pathname === reportUrl);
  expect(errors).toEqual([]);
  await nctx.close();

  const { ctx: wctx, page: w } = await signedIn(browser, info, SOCIAL_WORKER);
  await w.goto('/station');
  await w.getByRole('link', { name: '搜索案件' }).click();
  await w.waitForURL(/\/search/);
  await w.getByRole('searchbox', { name: '搜索' }).fill(`dibao ${marker}`);
  await w.getByRole('button', { name: '搜索', exact: true }).click();
  await expect(w.locator('.demand-line').filter({ hasText: marker })).toHaveCount(1);
  await shot(w, info, 'search-station');
  await wctx.close();
});
