import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * 部门报到 on the built product (demo mode): the dispatcher hands two incidents to the fire brigade; its
 * account signs in on /dept, 签收s one and 退回s the other with a reason; the wall's 部门 table counts both
 * handings and its 报到率 takes the two answers. Then a 反馈 with a photo: the department attaches a picture,
 * and the dispatcher sees its thumbnail in the console and the duty officer in the wall's drawer, each
 * opening it full size (Esc closes); a photo list the server refuses leaves the console's panel whole.
 */
const PASSWORD = 'pingan-demo';
const DEPT_USER = 'dept-fire';

let server: ServerProcess;
let browser: Browser;
let dept: Page;
let wall: Page;
let desk: Page;
let dispatcher = '';

// The API answers are read structurally; typing them would restate the routes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

async function call(method: string, path: string, body?: unknown, cookie = dispatcher): Promise<Body> {
  const r = await fetch(`${server.url}${path}`, {
    method,
    headers: { cookie, origin: server.url, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.json();
}

async function signIn(page: Page, username: string, next: string) {
  await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === next), page.click('button[type="submit"]')]);
}

const fireStat = async (): Promise<Body> =>
  (await call('GET', '/api/wall/stats')).departments?.find((d: Body) => d.name === deptName) ?? null;
let deptName = '';

beforeAll(async () => {
  server = await startServerProcess({ DEMO: '1', SIM_INCIDENTS_PER_HOUR: '0', DEMO_HISTORY_DAYS: '1' });
  const login = await fetch(`${server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ username: 'dispatcher', password: PASSWORD }),
  });
  dispatcher = login.headers.get('set-cookie')!.split(';')[0]!;
  browser = await launchBrowser();
  dept = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  wall = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
  desk = await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
  watchPage(dept);
  watchPage(wall);
  watchPage(desk);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('部门报到 (/dept) and the wall', () => {
  it('the department acknowledges one handed incident and returns another; the wall’s 报到率 follows', async () => {
    await signIn(dept, DEPT_USER, '/dept');
    await expect.poll(() => dept.locator('[data-testid="dept-name"]').textContent()).not.toBe('');
    deptName = (await dept.locator('[data-testid="dept-name"]').textContent())!;
    const queue = await dept.evaluate(() => fetch('/api/dept/queue').then((r) => r.json()));
    const deptId: string = queue.department.id;
    const before = await fireStat();

    // The dispatcher logs two calls near an existing incident and hands both to the department.
    const near = (await call('GET', '/api/incidents?limit=1')).incidents[0];
    const ids: string[] = [];
    for (const title of ['仓库堆放易燃物品', '楼道电动车充电']) {
      const r = await call('POST', '/api/incidents', {
        category: 'fire_safety',
        title,
        lng: near.lng,
        lat: near.lat,
        priority: 2,
        address: near.address ?? undefined,
      });
      ids.push(r.id);
      await call('POST', `/api/incidents/${encodeURIComponent(r.id)}/assign`, { departmentId: deptId });
    }

    // Both arrive in 待签收 with a green countdown lamp.
    const pending = dept.locator('[data-testid="bucket-pending"]');
    for (const id of ids)
      await pending.locator(`[data-testid="dept-row-${id}"]`).waitFor({ timeout: 15_000 });
    expect(await pending.textContent()).toContain('签收剩余');

    await dept.click(`[data-testid="dept-row-${ids[0]}"]`);
    await dept.locator('[data-testid="dept-deadline"]').waitFor();
    await screenshot(dept, 'dept-pending');
    await dept.click('[data-testid="dept-ack"]');
    await dept
      .locator(`[data-testid="bucket-in_progress"] [data-testid="dept-row-${ids[0]}"]`)
      .waitFor({ timeout: 10_000 });

    // 退回 without a reason is refused on the page; with one it goes back to the center.
    await dept.click(`[data-testid="dept-row-${ids[1]}"]`);
    await dept.locator('[data-testid="dept-return"]').waitFor();
    await dept.click('[data-testid="dept-return"]');
    expect(await dept.locator('[data-testid="dept-detail"] [role="alert"]').textContent()).toContain(
      '退回须填写原因',
    );
    await dept.fill('textarea[name="note"]', '不属本部门职责，建议转街道');
    await dept.click('[data-testid="dept-return"]');
    await dept
      .locator(`[data-testid="bucket-returned"] [data-testid="dept-row-${ids[1]}"]`)
      .waitFor({ timeout: 10_000 });
    const back = await call('GET', `/api/incidents/${encodeURIComponent(ids[1]!)}`);
    expect(back.incident).toMatchObject({ state: 'returned', assigneeId: null });
    expect(back.timeline.at(-1).note).toBe('不属本部门职责，建议转街道');
    await dept.click(`[data-testid="dept-row-${ids[0]}"]`);
    await dept.locator('[data-testid="dept-feedback"]').waitFor();
    await screenshot(dept, 'dept-in-progress');

    // Both answers were in time: the wall counts two more handings, two more on-time answers.
    await expect
      .poll(async () => (await fireStat())?.ackOnTime ?? 0, { timeout: 10_000 })
      .toBe((before?.ackOnTime ?? 0) + 2);
    const after = await fireStat();
    expect(after.handed).toBe((before?.handed ?? 0) + 2);
    expect(after.ackDue).toBe((before?.ackDue ?? 0) + 2);

    await signIn(wall, 'duty', '/wall');
    const panel = wall.locator('[data-testid="panel-ranking"]');
    await panel.locator('button', { hasText: '部门' }).click();
    // Departments past the first page come round every LIST_PAGE_MS: wait for this one's page.
    const row = panel.locator(`[data-testid="dept-report-${deptId}"]`);
    await row.waitFor({ timeout: 60_000 });
    expect(await row.locator('td').nth(1).textContent()).toBe(String(after.handed));
    expect(await row.locator('[data-testid="dept-ack-rate"]').textContent()).toBe(
      `${(after.ackRate * 100).toFixed(0)}%`,
    );
    await screenshot(wall, 'dept-wall');
  }, 120_000);

  it('反馈 with a photo: the console and the wall show its thumbnail and open it full size', async () => {
    const queue = await dept.evaluate(() => fetch('/api/dept/queue').then((r) => r.json()));
    const deptId: string = queue.department.id;
    const near = (await call('GET', '/api/incidents?limit=1')).incidents[0];
    const logged = await call('POST', '/api/incidents', {
      category: 'fire_safety',
      title: '消防通道被杂物堵塞',
      lng: near.lng,
      lat: near.lat,
      priority: 2,
      address: near.address ?? undefined,
    });
    const id: string = logged.id;
    await call('POST', `/api/incidents/${encodeURIComponent(id)}/assign`, { departmentId: deptId });

    // The department 签收s, then reports back with a note and a photo taken on the spot.
    const row = dept.locator(`[data-testid="dept-row-${id}"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await dept.click('[data-testid="dept-ack"]');
    await dept.locator(`[data-testid="bucket-in_progress"] [data-testid="dept-row-${id}"]`).waitFor();
    await dept.click(`[data-testid="dept-row-${id}"]`);
    await dept.locator('[data-testid="dept-photo-input"]').setInputFiles({
      name: 'scene.jpg',
      mimeType: 'image/jpeg',
      buffer: await scenePhoto(),
    });
    await dept.locator('[data-testid="dept-photo-pending"] img').waitFor();
    await dept.fill('textarea[name="note"]', '已清理楼道杂物，通道畅通');
    await dept.click('[data-testid="dept-feedback"]');
    const own = dept.locator('[data-testid="dept-photos"] [data-testid="photo-thumb"]');
    await own.waitFor({ timeout: 10_000 });
    await expect.poll(() => naturalWidth(own.locator('img'))).toBeGreaterThan(0);
    await screenshot(dept, 'dept-feedback-photo');
    const hash = await own.getAttribute('data-photo');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);

    // The console: a refused photo list leaves the panel whole and shows no photo section.
    await signIn(desk, 'dispatcher', '/dispatch');
    await desk.route('**/attachments', (r) =>
      r.fulfill({ status: 403, contentType: 'application/json', body: '{"error":"forbidden"}' }),
    );
    const refused = desk.waitForResponse((r) => r.url().endsWith(`/${id}/attachments`));
    await desk.locator(`[data-testid="queue-item-${id}"]`).click({ timeout: 30_000 });
    expect((await refused).status()).toBe(403);
    await desk.locator('[data-testid="incident-title"]', { hasText: '消防通道被杂物堵塞' }).waitFor();
    expect(await desk.locator('[data-testid="incident-photos"]').count()).toBe(0);
    expect(await desk.locator('[data-testid="timeline"]').textContent()).toContain('已清理楼道杂物');
    await desk.unroute('**/attachments');

    // Opened afresh (another incident, then this one), the panel reads the list again and shows the photo.
    const thumbs = desk.locator('[data-testid="incident-photos"] [data-testid="photo-thumb"]');
    await desk.locator(`[data-testid^="queue-item-"]:not([data-testid="queue-item-${id}"])`).first().click();
    await desk.locator(`[data-testid="queue-item-${id}"]`).click();
    await thumbs.first().waitFor({ timeout: 15_000 });
    expect(await thumbs.first().getAttribute('data-photo')).toBe(hash);
    await expect.poll(() => naturalWidth(thumbs.first().locator('img'))).toBeGreaterThan(0);
    const box = await thumbs.first().boundingBox();
    expect(box!.width).toBeGreaterThanOrEqual(150); // large enough to judge a scene at a glance
    await shoot(desk.locator('[data-testid="incident-detail"]'), 'dept-photo-console-panel');
    await thumbs.first().click();
    await openedFullSize(desk, 'dept-photo-console-lightbox');

    // The wall's drawer: the same photo, legible, and full size on a click.
    if (new URL(wall.url()).pathname !== '/wall') await signIn(wall, 'duty', '/wall');
    const drawer = await openOnWall(wall, id, '消防通道被杂物堵塞');
    const wallThumb = drawer.locator('[data-testid="incident-photos"] [data-testid="photo-thumb"]').first();
    await wallThumb.waitFor({ timeout: 15_000 });
    expect(await wallThumb.getAttribute('data-photo')).toBe(hash);
    await expect.poll(() => naturalWidth(wallThumb.locator('img'))).toBeGreaterThan(0);
    await screenshot(wall, 'dept-photo-wall-drawer');
    await wallThumb.click();
    await openedFullSize(wall, 'dept-photo-wall-lightbox');
    // Esc closed the picture only; the drawer under it stays open.
    expect(await drawer.count()).toBe(1);
  }, 150_000);
});

/** A JPEG that looks like a scene (sky, wall, a green door, an orange pile), so a screenshot can be judged. */
function scenePhoto(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="960">
    <rect width="1280" height="960" fill="#9cc3e6"/>
    <rect y="300" width="1280" height="660" fill="#d8d2c4"/>
    <rect x="520" y="420" width="240" height="420" fill="#2f8f4e"/>
    <rect x="560" y="470" width="160" height="60" fill="#ffffff"/>
    <ellipse cx="300" cy="820" rx="220" ry="110" fill="#e07b24"/>
    <rect y="840" width="1280" height="120" fill="#6b6b6b"/>
  </svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

const naturalWidth = (img: Locator) => img.evaluate((el) => (el as HTMLImageElement).naturalWidth);

/** A screenshot of one part of the page, to look at closely. */
async function shoot(part: Locator, name: string) {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await part.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`) });
}

/** The lightbox shows the stored picture (1280 wide, as sent) and Esc closes it. */
async function openedFullSize(page: Page, name: string) {
  const lightbox = page.locator('[data-testid="photo-lightbox"]');
  await lightbox.waitFor();
  await expect.poll(() => naturalWidth(page.locator('[data-testid="photo-full"]'))).toBe(1280);
  await screenshot(page, name);
  await page.keyboard.press('Escape');
  await lightbox.waitFor({ state: 'detached' });
}

/**
 * Opens the incident's drawer through the wall's search (by its title): the feed pages every 8–12 s through
 * seven pages, so its row is on screen only part of the time.
 */
async function openOnWall(page: Page, id: string, title: string) {
  await page.fill('[data-testid="search-box"] input', title);
  const hit = page.locator(`[data-testid="search-results"] [data-id="${id}"]`);
  await hit.waitFor({ timeout: 15_000 });
  await hit.click();
  const drawer = page.locator(`[data-testid="detail-drawer"][data-kind="incident"]`);
  await drawer.waitFor({ timeout: 10_000 });
  // The assignee row appears once the incident's details have arrived.
  await drawer.locator('[data-testid="drawer-assignee"]').waitFor({ timeout: 15_000 });
  return drawer;
}
