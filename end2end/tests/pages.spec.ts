import { test } from '@playwright/test';
import { expect, shot, signedIn, watchErrors } from './helpers';

// Hetaoyuan's resident: no other test reads Hetaoyuan's board, which these posts fill.
const HETAOYUAN_RESIDENT = '13800000021';

// Lists that grow are read a page at a time: Home shows the newest public demands and leads
// to all of them, fifty a page, with a next link that works with JavaScript on and off.
test('the community\'s public demands, a page at a time', async ({ browser }, info) => {
  const resident = await signedIn(browser, info, HETAOYUAN_RESIDENT);
  const errors = watchErrors(resident.page);
  const r = resident.page;
  // The demo's history is mostly private: neighbours post sixty public ones first (the way
  // the form's script posts).
  const run = `${info.project.name}${Date.now()}`;
  for (let n = 0; n < 60; n++) {
    const res = await r.request.post('/api/demands/post', {
      headers: { Accept: 'application/json', Origin: new URL(r.url()).origin },
      multipart: {
        idempotency_key: `pages-${run}-${n}`.padEnd(16, '0'),
        affair: 'shared-facilities-repair',
        description: `东门路灯不亮 ${n}`,
        place: 'public_area',
        place_detail: '东门停车场',
        urgency: 'normal',
        visibility: 'community',
        contact_time: 'evening',
      },
    });
    expect(res.status(), await res.text()).toBeLessThan(400);
  }
  await r.goto('/');
  await r.getByRole('link', { name: '查看全部公开诉求' }).click();
  await expect(r).toHaveURL(/\/neighbourhood$/);
  const first = r.locator('.demand-line a');
  await expect(first).toHaveCount(50);
  const top = await first.first().getAttribute('href');
  await shot(r, info, 'neighbourhood');
  await r.getByRole('link', { name: '下一页' }).click();
  await expect(r).toHaveURL(/\/neighbourhood\?before=\d+\.\d+$/);
  const second = r.locator('.demand-line a');
  expect(await second.count()).toBeGreaterThan(0);
  // The second page starts below the first: nothing repeats.
  const hrefs = await second.evaluateAll((els) => els.map((e) => e.getAttribute('href')));
  expect(hrefs).not.toContain(top);
  await shot(r, info, 'neighbourhood-2');
  expect(errors).toEqual([]);
  await resident.ctx.close();
});
