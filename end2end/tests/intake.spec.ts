import { test } from '@playwright/test';
import { RESIDENT, expect, hydrated, jsOn, shot, signedIn, watchErrors } from './helpers';

// Smart intake: the resident describes the problem in their own words; with JavaScript the
// form suggests the likely affairs as they type; either way a post without a choice is
// sorted by its words, and the requester changes that in one tap.
test('the form suggests the affair from the words; a post without a choice is sorted and changed in one tap', async ({ browser }, info) => {
  test.setTimeout(60_000);
  const { ctx, page: r } = await signedIn(browser, info, RESIDENT);
  const errors = watchErrors(r);
  const affair = r.getByLabel('事项', { exact: true });
  const chip = r.locator('#f-affair-suggest [data-affair="shared-facilities-repair"]');

  await r.goto('/post');
  if (jsOn(info)) await hydrated(r);
  await r.getByLabel('诉求描述').fill(`楼道灯坏了三天了，晚上摸黑 ${info.project.name} ${Date.now()}`);
  if (jsOn(info)) {
    await expect(chip).toBeVisible();
    await expect(chip).toContainText('匹配：');
    await expect(chip).toHaveAttribute('aria-pressed', 'false');
    await shot(r, info, 'intake-suggestions');
  }
  await expect(affair).toHaveValue('');
  await r.getByRole('button', { name: '提交' }).click();
  await r.waitForURL(/\/demands\/\d+$/);
  await expect(r.getByRole('heading', { level: 1 })).toContainText('楼道及公共设施报修');
  await expect(r.getByTestId('affair-matched')).toBeVisible();
  if (jsOn(info)) await hydrated(r);
  await shot(r, info, 'intake-matched');
  await r.getByTestId('affair-change').getByRole('button', { name: '其他（不在服务菜单中）' }).click();
  await expect(r.getByTestId('affair-matched')).toHaveCount(0);
  await expect(r.getByTestId('affair-change')).toHaveCount(0);
  await expect(r.getByRole('heading', { level: 1 })).not.toContainText('楼道及公共设施报修');
  await expect(r.getByText('事项改为').first()).toBeVisible();

  if (jsOn(info)) {
    // Choosing a suggestion fills the affair: filed as chosen, nothing to change.
    await r.goto('/post');
    await hydrated(r);
    await r.getByLabel('诉求描述').fill(`5号楼的楼道灯不亮了 ${Date.now()}`);
    await chip.click();
    await expect(chip).toHaveAttribute('aria-pressed', 'true');
    await expect(affair).toHaveValue('shared-facilities-repair');
    await r.getByRole('button', { name: '提交' }).click();
    await r.waitForURL(/\/demands\/\d+$/);
    await expect(r.getByRole('heading', { level: 1 })).toContainText('楼道及公共设施报修');
    await expect(r.getByTestId('affair-matched')).toHaveCount(0);
  }
  expect(errors).toEqual([]);
  await ctx.close();
});
