import { Browser, BrowserContext, Page, test } from '@playwright/test';
import {
  DEMO_PASSWORD,
  RESIDENT,
  SOCIAL_WORKER,
  agree,
  expect,
  hydrated,
  jsOn,
  shot,
  signedIn,
  typeCode,
  uniquePhone,
  verifyPhone,
  watchErrors,
} from './helpers';

const NEIGHBOUR = '13800000011';
const RESIDENT_3 = '13800000012';
const STATIONMASTER = '13800000004';

/** Registers a fresh Qianggen resident and returns the signed-in page. */
async function newResident(browser: Browser, info: any, n: number): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ ...info.project.use });
  const page = await ctx.newPage();
  await page.goto('/register?community=qianggen');
  if (jsOn(info)) await hydrated(page);
  await verifyPhone(page, info, uniquePhone(info, n));
  await page.getByLabel('称呼').fill('赵新');
  await page.getByLabel('楼栋').selectOption({ label: '3号楼' });
  await page.getByLabel('单元').fill('1');
  await page.getByLabel('门牌号').fill(`${100 + n}`);
  await page.getByLabel('密码', { exact: true }).fill('lvyin2026');
  await page.getByLabel('再次输入密码').fill('lvyin2026');
  await agree(page);
  await page.getByRole('button', { name: '注册' }).click();
  await page.waitForURL(/\/me$/);
  return { ctx, page };
}

async function openThread(p: Page, info: any, title: string, body: string) {
  await p.goto('/threads');
  if (jsOn(info)) await hydrated(p);
  await p.getByText('发起议题').click();
  await p.getByLabel('标题（80 字以内）').fill(title);
  await p.locator('#f-topic').selectOption('facilities');
  await p.getByLabel('内容', { exact: true }).fill(body);
  await p.getByRole('button', { name: '发布' }).click();
  await p.waitForURL(/\/threads\/\d+$/);
}

async function comment(p: Page, text: string, stance: string) {
  const form = p.locator('#comment-form');
  await form.getByLabel(stance, { exact: true }).check();
  await form.getByLabel('发表意见').fill(text);
  await form.getByRole('button', { name: '发送' }).click();
  await expect(p.locator('.comment-body', { hasText: text })).toBeVisible();
}

test('a thread gathers support, becomes an adopted autonomy project, and meets offline', async ({ browser }, info) => {
  test.setTimeout(120_000);
  // The stationmaster sets a small threshold for the demo.
  const master = await signedIn(browser, info, STATIONMASTER);
  await master.page.goto('/station/threads');
  await master.page.getByRole('spinbutton', { name: '支持门槛' }).fill('2');
  await master.page.getByRole('button', { name: '保存' }).click();
  await expect(master.page.getByTestId('desk-threshold')).toContainText('当前门槛：2');

  const author = await signedIn(browser, info, RESIDENT);
  const errors = watchErrors(author.page);
  const a = author.page;
  const title = `东门坡道 ${info.project.name} ${Date.now() % 100000}`;
  await openThread(a, info, title, '东门只有台阶，推轮椅不方便。\n参考 https://example.org/ramp');
  const threadUrl = a.url();
  await expect(a.getByTestId('thread-state')).toHaveText('讨论中');
  await expect(a.getByRole('link', { name: 'https://example.org/ramp' })).toHaveAttribute('rel', /nofollow/);
  await comment(a, '我先说：坡道要有扶手。', '支持');
  if (jsOn(info)) {
    await hydrated(a);
    await a.evaluate(() => ((window as any).__stayed = true));
  }

  // A neighbour replies with a stance and supports.
  const neighbour = await signedIn(browser, info, NEIGHBOUR);
  const n = neighbour.page;
  await n.goto(threadUrl);
  if (jsOn(info)) await hydrated(n);
  const first = n.getByTestId('comment').filter({ hasText: '坡道要有扶手' });
  await first.locator('summary', { hasText: '回复' }).click();
  await first.getByLabel('中立').check();
  await first.getByLabel('回复', { exact: true }).fill('同意，但别占自行车位。');
  await first.getByRole('button', { name: '发送' }).click();
  await expect(n.locator('.comment-body', { hasText: '同意，但别占自行车位。' })).toBeVisible();
  await n.getByRole('button', { name: '我支持' }).click();
  await expect(n.getByTestId('support-count')).toHaveText('1');
  await expect(n.getByRole('button', { name: '取消支持' })).toBeVisible();

  // The author's open page shows the reply and the support live, without a reload.
  if (jsOn(info)) {
    await expect(a.locator('.comment-body', { hasText: '同意，但别占自行车位。' })).toBeVisible();
    await expect(a.getByTestId('support-count')).toHaveText('1');
    expect(await a.evaluate(() => (window as any).__stayed)).toBe(true);
  }

  // The second support reaches the threshold: station review, an item on the board.
  const third = await signedIn(browser, info, RESIDENT_3);
  await third.page.goto(threadUrl);
  await third.page.getByRole('button', { name: '我支持' }).click();
  await expect(third.page.getByTestId('thread-state')).toHaveText('服务站研究中');
  await shot(third.page, info, 'thread-review');

  const worker = await signedIn(browser, info, SOCIAL_WORKER);
  const w = worker.page;
  await w.goto('/station');
  await expect(w.getByText(title).first()).toBeVisible();
  await w.goto(threadUrl);
  if (jsOn(info)) await hydrated(w);
  await w.getByLabel('已采纳').check();
  await w.getByLabel('说明（方案或理由）').fill('同意加装坡道和扶手，分两步实施。');
  await w.getByLabel('实施计划（里程碑）').fill('2099-01-10 征求意见\n2099-03-01 完成施工');
  await w.getByRole('button', { name: '发布答复' }).click();
  await expect(w.getByTestId('thread-state')).toHaveText('已采纳');
  await expect(w.getByTestId('milestone')).toHaveCount(2);
  // A milestone done, a meeting scheduled for tomorrow, and a meeting already held recorded.
  await w.getByTestId('milestone').first().getByRole('button', { name: '标记完成' }).click();
  await expect(w.getByTestId('milestone').first()).toContainText('完成于');
  const tomorrow = new Date(Date.now() + 8 * 3600_000 + 86400_000).toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() + 8 * 3600_000 - 86400_000).toISOString().slice(0, 10);
  for (const [i, day] of [tomorrow, yesterday].entries()) {
    await w.getByText('安排议事会').first().click();
    await w.getByLabel('日期').fill(day);
    await w.getByLabel('开始时间').fill('19:00');
    await w.getByLabel('结束时间').fill('20:30');
    await w.getByLabel('名额').fill('30');
    await w.getByRole('button', { name: '安排议事会' }).click();
    // Hydrated, the page reloads itself at #meetings; a goto here would race that reload.
    await w.waitForURL(/#meetings$/);
    await expect(w.getByTestId('meeting')).toHaveCount(i + 1);
    if (jsOn(info)) await hydrated(w);
  }
  await expect(w.getByTestId('meeting')).toHaveCount(2);
  const held = w.getByTestId('meeting').first();
  await held.getByLabel('会议纪要').fill('到会 12 人，一致同意先征求意见。');
  await held.getByLabel('议定事项').fill('坡道设在东门北侧');
  await held.getByRole('button', { name: '保存' }).click();
  await expect(w.getByTestId('minutes')).toContainText('到会 12 人');

  // Residents see the answer, the plan, the minutes; the neighbour signs up for tomorrow.
  await n.goto(threadUrl);
  await expect(n.getByTestId('answer')).toContainText('已采纳');
  await expect(n.getByTestId('minutes')).toContainText('一致同意');
  const upcoming = n.getByTestId('meeting').nth(1);
  await upcoming.getByRole('button', { name: '报名参加' }).click();
  await expect(n.getByTestId('my-signup')).toHaveText('你已报名。');
  await expect(n.getByRole('link', { name: '加入日历（.ics）' }).first()).toBeVisible();
  await shot(n, info, 'thread-adopted');
  await a.goto('/notifications');
  await expect(a.getByText('服务站答复了你参与的议题：已采纳').first()).toBeVisible();
  expect(errors).toEqual([]);
  for (const c of [master, author, neighbour, third, worker]) await c.ctx.close();
});

test('three flags hide a comment until the station reviews it', async ({ browser }, info) => {
  test.setTimeout(90_000);
  const poster = await signedIn(browser, info, RESIDENT_3);
  await poster.page.goto('/threads');
  await poster.page.getByRole('link', { name: /楼道堆物清理/ }).click();
  const threadUrl = poster.page.url();
  const spam = `加微信领鸡蛋 ${info.project.name} ${Date.now() % 100000}`;
  await comment(poster.page, spam, '中立');

  const flaggers = [await signedIn(browser, info, RESIDENT), await signedIn(browser, info, NEIGHBOUR), await newResident(browser, info, 7)];
  for (const f of flaggers) {
    await f.page.goto(threadUrl);
    const c = f.page.getByTestId('comment').filter({ hasText: spam });
    await c.locator('summary', { hasText: '举报' }).click();
    await c.getByLabel('原因').fill('广告');
    await c.getByRole('button', { name: '举报' }).click();
    await f.page.waitForURL(/\/threads\/\d+/);
  }
  const reader = flaggers[0].page;
  await reader.goto(threadUrl);
  await expect(reader.getByText(spam)).toHaveCount(0);
  await expect(reader.getByText('多位居民举报，待管理员审核').first()).toBeVisible();
  await shot(reader, info, 'thread-flag-hidden');

  const master = await signedIn(browser, info, STATIONMASTER);
  await master.page.goto('/station/threads');
  const item = master.page.getByTestId('flagged').filter({ hasText: spam });
  await expect(item).toContainText('广告');
  await shot(master.page, info, 'moderation-queue');
  await item.getByRole('button', { name: '隐藏' }).click();
  await expect(master.page.getByTestId('flagged').filter({ hasText: spam })).toHaveCount(0);
  await reader.goto(threadUrl);
  await expect(reader.getByText('已被管理员隐藏').first()).toBeVisible();
  for (const c of [poster, master, ...flaggers]) await c.ctx.close();
});

test('what residents write never runs as code', async ({ browser }, info) => {
  // A fresh resident: no earlier posts count against the rate limits.
  const author = await newResident(browser, info, 8);
  const p = author.page;
  const dialogs: string[] = [];
  p.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  const payload = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2"><svg onload=alert(3)> javascript:alert(4) ${info.project.name}`;
  await openThread(p, info, `<b onmouseover="alert(5)">XSS 测试</b> ${Date.now() % 100000}`, payload);
  await expect(p.getByTestId('thread-body')).toContainText('<script>window.__xss=1</script>');
  await p.locator('#comment-form').getByLabel('发表意见').fill('<a href="javascript:alert(6)">点我</a><iframe src="javascript:alert(7)"></iframe>');
  await p.locator('#comment-form').getByRole('button', { name: '发送' }).click();
  await expect(p.locator('.comment-body', { hasText: '<a href="javascript:alert(6)">点我</a>' })).toBeVisible();
  await p.reload();
  if (jsOn(info)) await hydrated(p);
  await p.getByTestId('thread-body').hover();
  expect(await p.evaluate(() => (window as any).__xss)).toBeUndefined();
  expect(await p.locator('.thread-body script, .thread-body img, .thread-body svg, .comment-body a[href^="javascript"], .comment-body iframe').count()).toBe(0);
  expect(dialogs).toEqual([]);
  await shot(p, info, 'thread-xss');
  await author.ctx.close();
});
