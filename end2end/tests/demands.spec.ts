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

const LIAISON = '13800000005';

test('services: browse by family and search in Chinese', async ({ page }, info) => {
  await page.goto('/services');
  await page.getByRole('link', { name: '政务服务' }).click();
  await expect(page).toHaveURL(/family=government/);
  await page.getByRole('searchbox').fill('低保');
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page.getByRole('link', { name: /最低生活保障（低保）申请/ })).toBeVisible();
  await shot(page, info, 'services-search');
  await page.getByRole('link', { name: /最低生活保障（低保）申请/ }).click();
  await expect(page.getByTestId('documents')).toContainText('家庭收入证明');
  await shot(page, info, 'affair');
});

test('a demand closes the loop: post with photo, board, accept, whistle, check in, report, resolve, confirm', async ({ browser }, info) => {
  test.setTimeout(90_000);
  const resident = await signedIn(browser, info, RESIDENT);
  const errors = watchErrors(resident.page);
  const r = resident.page;
  const marker = `井盖堵塞 ${info.project.name} ${Date.now()}`;

  // Post from the affair page, with a photo (a screenshot makes a real PNG).
  const photo = await r.screenshot();
  await r.goto('/services/drain-manhole');
  await r.getByRole('link', { name: '就此事发布诉求' }).click();
  await expect(r).toHaveURL(/\/post\?affair=drain-manhole/);
  if (jsOn(info)) await hydrated(r);
  await expect(r.getByLabel('事项')).toHaveValue('drain-manhole');
  await r.getByLabel('诉求描述').fill(`${marker}：楼下污水外溢，气味很大`);
  await r.getByLabel('社区公共区域').check();
  await r.getByLabel('具体位置').fill('3号楼东侧');
  await r.getByLabel('紧急', { exact: true }).check();
  await r.locator('input[type=file]').setInputFiles({ name: 'manhole.png', mimeType: 'image/png', buffer: photo });
  if (jsOn(info)) await expect(r.locator('#photo-preview img')).toHaveCount(1);
  await shot(r, info, 'post-form');
  await r.getByRole('button', { name: '提交' }).click();
  await r.waitForURL(/\/demands\/\d+$/);
  const demandUrl = r.url();
  await expect(r.getByTestId('state')).toHaveText('已提交');
  await expect(r.getByTestId('triage')).toHaveText('转办');
  await expect(r.locator('.photo-grid img')).toHaveCount(1);
  if (jsOn(info)) await hydrated(r);
  await r.evaluate(() => ((window as any).__stayed = true));
  await shot(r, info, 'demand-received');

  // The worker sees it on the board with triage and a deadline, and accepts it.
  const worker = await signedIn(browser, info, SOCIAL_WORKER);
  const w = worker.page;
  const card = w.locator('li.board-card', { hasText: marker });
  await expect(card).toBeVisible();
  await expect(card).toContainText('转办');
  await expect(card).toContainText('紧急');
  await expect(card.locator('.due')).toContainText(/响应期限: 剩 \d+ (小时|分钟)/);
  await shot(w, info, 'board');
  if (jsOn(info)) await hydrated(w);
  await card.getByRole('button', { name: '受理' }).click();
  await expect(w.locator('li.board-card', { hasText: marker })).toContainText('已受理');

  // The resident's open page follows along.
  const followLive = async (state: string) => {
    if (jsOn(info)) {
      await expect(r.getByTestId('state')).toHaveText(state, { timeout: 15_000 });
      expect(await r.evaluate(() => (window as any).__stayed)).toBe(true);
    } else {
      await r.reload();
      await expect(r.getByTestId('state')).toHaveText(state);
    }
  };
  await followLive('已受理');

  // Whistle the Urban Management Office.
  await w.goto(demandUrl);
  if (jsOn(info)) await hydrated(w);
  await w.locator('summary', { hasText: '吹哨' }).click();
  await w.getByLabel('城市管理办公室').check();
  await w.getByRole('button', { name: '吹哨（召集街道部门）' }).last().click();
  await expect(w.getByTestId('state')).toHaveText('已吹哨转办');
  await followLive('已吹哨转办');
  await shot(w, info, 'demand-staff');
  await w.goto('/station');
  await expect(w.locator('li.board-card', { hasText: marker }).getByTestId('whistle-summary')).toContainText('已报到 0/1');

  // The department liaison checks in and reports back.
  const liaison = await signedIn(browser, info, LIAISON);
  const l = liaison.page;
  const whistle = l.locator('li.board-card', { hasText: marker.slice(0, 20) });
  await expect(whistle).toBeVisible();
  await shot(l, info, 'department');
  await whistle.getByRole('button', { name: '报到' }).click();
  const again = l.locator('li.board-card', { hasText: marker.slice(0, 20) });
  await expect(again.getByRole('button', { name: '报到' })).toHaveCount(0);
  if (jsOn(info)) await hydrated(l);
  await again.getByLabel('办理反馈').fill('已派养护队疏通完毕');
  await again.getByRole('button', { name: '提交反馈' }).click();
  await expect(l.locator('li.board-card', { hasText: marker.slice(0, 20) })).toHaveCount(0);
  await followLive('办理中');
  // On the case page the liaison sees the place, the person masked; showing the contact
  // takes a reason, which is recorded.
  await l.goto(demandUrl);
  await expect(l.getByTestId('requester-phone')).toHaveText('138****0001');
  if (jsOn(info)) await hydrated(l);
  await l.getByLabel(/查看原因/).fill('需要电话约上门时间');
  await shot(l, info, 'demand-liaison');
  await l.getByRole('button', { name: '查看完整联系方式' }).click();
  await expect(l.getByTestId('requester-phone')).toHaveText(RESIDENT);

  // The worker resolves; the resident confirms.
  await w.goto(demandUrl);
  await expect(w.getByTestId('checkin')).toContainText('✓');
  if (jsOn(info)) await hydrated(w);
  await w.getByRole('button', { name: '办结' }).click();
  await expect(w.getByTestId('state')).toHaveText('已办结待确认');
  await followLive('已办结待确认');
  await shot(r, info, 'demand-resolved');
  await r.getByRole('button', { name: '确认已解决' }).click();
  await expect(r.getByTestId('state')).toHaveText('已关闭');
  await expect(r.locator('.timeline')).toContainText('已派养护队疏通完毕');
  await shot(r, info, 'demand-closed');
  // Closed: the resident rates the service on the five levels.
  const rating = r.getByTestId('rating');
  for (const [line, level] of [['总体评价', '满意'], ['办理及时', '非常满意'], ['服务态度', '非常满意'], ['解决效果', '满意']]) {
    await rating.getByRole('group', { name: line }).getByLabel(level, { exact: true }).check();
  }
  await rating.getByLabel('意见建议（选填）').fill('处理很快，谢谢。');
  await rating.getByRole('button', { name: '提交评价' }).click();
  await expect(r.getByTestId('rated')).toContainText('满意');
  await expect(r.getByTestId('rating')).toContainText('感谢您的评价');
  await shot(r, info, 'demand-rated');
  // The same page in elder mode (larger type, stronger contrast).
  await r.goto('/me');
  await r.getByRole('button', { name: '开启长辈模式' }).click();
  await r.goto(demandUrl);
  await expect(r.locator('html')).toHaveClass(/elder/);
  await shot(r, info, 'demand-elder');
  await r.goto('/me');
  await r.getByRole('button', { name: '关闭长辈模式' }).click();
  expect(errors).toEqual([]);
  for (const c of [resident, worker, liaison]) await c.ctx.close();
});

test('a bad post keeps what was typed and says what is wrong', async ({ browser }, info) => {
  const { ctx, page } = await signedIn(browser, info, RESIDENT);
  await page.goto('/post');
  if (jsOn(info)) await hydrated(page);
  await page.getByLabel('具体位置').fill('东门');
  await page.locator('input[type=file]').setInputFiles({ name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('%PDF-1.7 not a picture') });
  await page.getByRole('button', { name: '提交' }).click();
  await expect(page.locator('[data-error-for=description]')).toHaveText('此项必填。');
  await expect(page.locator('[data-error-for=photos]')).toHaveText('只支持 JPG、PNG、WebP 格式的照片。');
  await expect(page.getByLabel('具体位置')).toHaveValue('东门');
  await shot(page, info, 'post-error');
  await ctx.close();
});

test('the window records a walk-in demand for a resident', async ({ browser }, info) => {
  const { ctx, page } = await signedIn(browser, info, SOCIAL_WORKER);
  await page.goto('/station/intake');
  await page.getByLabel('居民手机号').fill(RESIDENT);
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page.getByTestId('resident-name')).toHaveText('王秀兰');
  if (jsOn(info)) await hydrated(page);
  await page.getByLabel('事项').selectOption('residence-proof');
  await page.getByLabel('诉求描述').fill(`窗口来访：开居住证明 ${info.project.name}`);
  await shot(page, info, 'intake');
  await page.getByRole('button', { name: '提交' }).click();
  await page.waitForURL(/\/demands\/\d+$/);
  await expect(page.getByTestId('state')).toHaveText('已受理');
  await expect(page.getByText('窗口来访', { exact: true })).toBeVisible();
  await ctx.close();
});

test('a walk-in record is claimed with the code the station gives, not with the phone alone', async ({ browser }, info) => {
  const phone = uniquePhone(info, 7);
  const { ctx, page } = await signedIn(browser, info, SOCIAL_WORKER);
  await page.goto('/station/intake');
  await page.getByLabel('居民手机号').fill(phone);
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page.getByTestId('not-found')).toBeVisible();
  await page.getByLabel('称呼').fill('赵大爷');
  await page.getByLabel('楼栋').selectOption({ index: 1 });
  await page.getByLabel('单元').fill('1');
  await page.getByLabel('门牌号').fill('101');
  await page.getByRole('button', { name: '建立居民档案' }).click();
  await expect(page.getByTestId('resident-name')).toHaveText('赵大爷');
  await page.getByRole('button', { name: '生成认领码' }).click();
  const code = (await page.getByTestId('claim-code').textContent())?.trim() ?? '';
  expect(code).toMatch(/^\d{8}$/);
  await shot(page, info, 'intake-claim-code');
  // Shown once: the next visit says only until when it works.
  await page.reload();
  await expect(page.getByTestId('claim-code')).toHaveCount(0);
  await ctx.close();

  const visitor = await browser.newContext({ ...info.project.use });
  const r = await visitor.newPage();
  await r.goto('/register?community=qianggen');
  if (jsOn(info)) await hydrated(r);
  await verifyPhone(r, info, phone);
  const fill = async () => {
    await typeCode(r);
    await agree(r);
    await r.getByLabel('称呼').fill('赵大爷');
    await r.getByLabel('楼栋').selectOption({ index: 1 });
    await r.getByLabel('单元').fill('1');
    await r.getByLabel('门牌号').fill('101');
    await r.getByLabel('密码', { exact: true }).fill('zhaodaye2026');
    await r.getByLabel('再次输入密码').fill('zhaodaye2026');
  };
  await fill();
  await r.getByRole('button', { name: '注册' }).click();
  await expect(r.locator('[data-error-for=phone]')).toContainText('认领码');
  await shot(r, info, 'register-claim');
  await fill();
  await r.getByLabel(/认领码/).fill(code);
  await r.getByRole('button', { name: '注册' }).click();
  await expect(r).toHaveURL(/\/me$/);
  await visitor.close();
});
