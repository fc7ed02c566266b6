import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * The grid worker's phone page (/m) on a phone-sized screen (390×844), against the built product in demo
 * mode (the demo seeds grid01, a worker account bound to a worker of the demo world): a report with a photo
 * reaches the wall and the console; a task assigned in the console is resolved on the phone and the wall
 * follows; a report made offline is sent once when the phone is back online.
 */
const PASSWORD = 'pingan-demo';
const PHONE = { width: 390, height: 844 };

let server: ServerProcess;
let browser: Browser;
let center: { longitude: number; latitude: number };
let photoFile: string;
let heicFile: string;
let phone: BrowserContext;
let wallCtx: BrowserContext;
let wall: Page;
let consoleCtx: BrowserContext;
let desk: Page;

async function signIn(page: Page, username: string, next: string) {
  await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === next), page.click('button[type="submit"]')]);
}

/** The state the wall's map holds for an incident (null: not on the wall). */
function wallState(id: string): Promise<string | null> {
  return wall.evaluate(
    `(() => { const v = window.__pinganMapView; const i = v && v.incidents().find((x) => x.id === ${JSON.stringify(id)}); return i ? i.state : null; })()`,
  ) as Promise<string | null>;
}

async function waitWallState(id: string, state: string) {
  await wall.waitForFunction(
    `(() => { const v = window.__pinganMapView; return !!v && v.incidents().some((x) => x.id === ${JSON.stringify(id)} && x.state === ${JSON.stringify(state)}); })()`,
    undefined,
    { timeout: 20_000 },
  );
}

/** The id of the report this worker sent with `detail` in it, read back from the server (null: none yet). */
async function reportedId(page: Page, detail: string): Promise<string | null> {
  const r = await page.request.get(`${server.url}/api/m/tasks`);
  const body = (await r.json()) as { reports: { id: string; title: string }[] };
  const hits = body.reports.filter((x) => x.title.includes(detail));
  expect(hits.length).toBeLessThanOrEqual(1);
  return hits[0]?.id ?? null;
}

/**
 * The pin map as drawn, leaving out the pin itself (an element screenshot, so no WebGL buffer needs
 * preserving): mean luminance, spread and distinct colours of what is left. A blank or failed map is one flat
 * colour; the wall's night palette is dark; streets, boundaries and labels make the spread.
 */
async function mapPixels(page: Page): Promise<{ mean: number; stdev: number; colours: number }> {
  const map = page.locator('[data-testid="m-pin-map"]');
  const box = (await map.boundingBox())!;
  const pin = (await map.locator('.maplibregl-marker').boundingBox())!;
  const png = await map.screenshot();
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const scale = info.width / box.width;
  const [px0, py0] = [(pin.x - box.x) * scale, (pin.y - box.y) * scale];
  const [px1, py1] = [px0 + pin.width * scale, py0 + pin.height * scale];
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  const colours = new Set<number>();
  for (let y = 0; y < info.height; y++)
    for (let x = 0; x < info.width; x++) {
      if (x >= px0 && x <= px1 && y >= py0 && y <= py1) continue;
      const i = (y * info.width + x) * 3;
      const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
      const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      n++;
      sum += lum;
      sumSq += lum * lum;
      colours.add(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3));
    }
  const mean = sum / n;
  return { mean, stdev: Math.sqrt(sumSq / n - mean * mean), colours: colours.size };
}

/** The first of the two taps (a category); a test adds its own detail, then taps 上报. */
async function reportTwoTaps(page: Page, category: string, detail?: string): Promise<void> {
  await page.locator('button', { hasText: category }).first().click();
  await page.locator('[data-testid="m-report-form"]').waitFor();
  if (detail) await page.fill('textarea[name="detail"]', detail);
}

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-m-'));
  server = await startServerProcess({
    DEMO: '1',
    SIM_INCIDENTS_PER_HOUR: '0',
    DEMO_HISTORY_DAYS: '0',
    UPLOADS_DIR: path.join(dir, 'uploads'),
  });
  browser = await launchBrowser();
  // Where grid01 works: its grid's centre, which the phone's "GPS" reports.
  const login = await fetch(`${server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'grid01', password: PASSWORD }),
  });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const me = (await (await fetch(`${server.url}/api/m/me`, { headers: { cookie } })).json()) as {
    center: [number, number];
  };
  center = { longitude: me.center[0], latitude: me.center[1] };
  photoFile = path.join(dir, 'scene.jpg');
  await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 180, g: 120, b: 60 } } })
    .jpeg()
    .withMetadata({ exif: { IFD0: { Artist: 'phone-owner' } } })
    .toFile(photoFile);
  // What an iPhone hands over when a photo is chosen as a file: an ISO-BMFF box naming the HEIC brand.
  heicFile = path.join(dir, 'IMG_0001.HEIC');
  fs.writeFileSync(
    heicFile,
    Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheicmif1heic'), Buffer.alloc(2048, 7)]),
  );

  phone = await browser.newContext({
    viewport: PHONE,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    geolocation: center,
    permissions: ['geolocation'],
    locale: 'zh-CN',
  });
  wallCtx = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  wall = await wallCtx.newPage();
  await signIn(wall, 'duty', '/wall');
  consoleCtx = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  desk = await consoleCtx.newPage();
  await signIn(desk, 'dispatcher', '/dispatch');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('grid worker phone page', () => {
  it('reports with a photo in two taps; the wall and the console see it', async () => {
    const page = await phone.newPage();
    const watch = watchPage(page);
    await signIn(page, 'grid01', '/m');
    await page.locator('[data-testid="m-duty"]').waitFor();
    await screenshot(page, 'mobile-home');
    // Touch targets: every button on the page is at least 48 px tall.
    const heights = await page
      .locator('button')
      .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().height)));
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(48);

    await reportTwoTaps(page, '城市管理', '浏览器测试：人行道占道经营');
    // An iPhone HEIC this browser cannot decode: refused in the form, with what to do, and not kept to send.
    await page.setInputFiles('[data-testid="m-photo-input"]', heicFile);
    await page.locator('[data-testid="m-photo-error"]', { hasText: 'HEIC' }).waitFor();
    expect(await page.locator('[data-testid="m-photo-error"]').textContent()).toContain('兼容性最佳');
    await page.setInputFiles('[data-testid="m-photo-input"]', photoFile);
    await page.locator('[data-testid="m-report-form"] img').first().waitFor();
    expect(await page.locator('[data-testid="m-report-form"] img').count()).toBe(1);
    await page.locator('[data-testid="m-coords"]', { hasText: center.longitude.toFixed(5) }).waitFor();

    // The pin map shows the street map in day colours: drawn, not one flat colour, not the wall's dark navy.
    await page.locator('[data-testid="m-pin-map"][data-ready="1"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="m-pin-map"] .maplibregl-marker').waitFor();
    const pixels = await mapPixels(page);
    expect(pixels.mean).toBeGreaterThan(170);
    expect(pixels.stdev).toBeGreaterThan(3);
    expect(pixels.colours).toBeGreaterThan(12);
    await screenshot(page, 'mobile-report-form');
    // A tap on the map moves the pin there; 重新定位 brings it back to the phone's fix.
    const box = (await page.locator('[data-testid="m-pin-map"]').boundingBox())!;
    await page.touchscreen.tap(box.x + box.width * 0.3, box.y + box.height * 0.35);
    await expect
      .poll(() => page.locator('[data-testid="m-coords"]').textContent())
      .not.toContain(center.longitude.toFixed(5));
    await page.locator('button', { hasText: '重新定位' }).click();
    await page.locator('[data-testid="m-coords"]', { hasText: center.longitude.toFixed(5) }).waitFor();
    await page.click('[data-testid="m-submit"]');
    await page.locator('[data-testid="m-notice"]', { hasText: '已上报' }).waitFor();
    const id = (await reportedId(page, '人行道占道经营'))!;
    expect(id).toBeTruthy();
    await screenshot(page, 'mobile-reported');

    await waitWallState(id, 'reported');
    await desk.locator(`[data-testid="queue-item-${id}"]`).waitFor({ timeout: 20_000 });
    const detail = (await (await desk.request.get(`${server.url}/api/incidents/${id}`)).json()) as {
      incident: { source: string };
    };
    expect(detail.incident.source).toBe('grid_worker');
    const photos = (await (
      await desk.request.get(`${server.url}/api/incidents/${id}/attachments`)
    ).json()) as {
      attachments: { thumbUrl: string }[];
    };
    expect(photos.attachments).toHaveLength(1);
    const thumb = await desk.request.get(`${server.url}${photos.attachments[0]!.thumbUrl}`);
    expect(thumb.headers()['content-type']).toBe('image/jpeg');
    expect(Buffer.from(await thumb.body()).includes(Buffer.from('phone-owner'))).toBe(false);
    expect(watch.externalRequests).toEqual([]);
    expect(watch.consoleErrors.filter((e) => !e.includes('favicon'))).toEqual([]);
    await page.close();
  });

  it('shows a task assigned in the console; the worker resolves it and the wall follows', async () => {
    const page = await phone.newPage();
    await page.goto(`${server.url}/m`);
    // On duty first: the console assigns workers who are at work.
    const duty = page.locator('[data-testid="m-duty"]');
    if ((await duty.textContent())?.includes('上班')) {
      await duty.click();
      await page.locator('[data-testid="m-duty"]', { hasText: '下班' }).waitFor();
    }
    await reportTwoTaps(page, '环境卫生', '浏览器测试：垃圾堆放');
    await page.click('[data-testid="m-submit"]');
    await page.locator('[data-testid="m-notice"]', { hasText: '已上报' }).waitFor();
    const id = (await reportedId(page, '垃圾堆放'))!;
    expect(id).toBeTruthy();
    await waitWallState(id, 'reported');

    const me = (await (await page.request.get(`${server.url}/api/m/me`)).json()) as { workerId: string };
    const assigned = await desk.request.post(`${server.url}/api/incidents/${id}/assign`, {
      data: { workerId: me.workerId },
      headers: { origin: server.url },
    });
    expect(assigned.status()).toBe(200);

    await page.click('[data-testid="m-tab-tasks"]');
    const card = page.locator(`[data-testid="m-task"][data-id="${id}"]`);
    await card.waitFor({ timeout: 15_000 });
    await screenshot(page, 'mobile-task');
    await card.locator('button', { hasText: '到场' }).click();
    await page.locator(`[data-testid="m-task"][data-id="${id}"][data-state="on_scene"]`).waitFor();
    await card.locator('button', { hasText: '办结' }).click();
    await page.locator(`[data-testid="m-task"][data-id="${id}"][data-state="resolved"]`).waitFor();
    await screenshot(page, 'mobile-task-resolved');
    await waitWallState(id, 'resolved');
    expect(await wallState(id)).toBe('resolved');
    await page.close();
  });

  it('queues a report made offline and sends it once on reconnect', async () => {
    const page = await phone.newPage();
    await page.goto(`${server.url}/m`);
    await page.locator('[data-testid="m-duty"]').waitFor();
    const detail = `离线上报 ${Date.now()}`;
    let posts = 0;
    page.on('request', (r) => {
      if (r.url().endsWith('/api/m/reports') && r.method() === 'POST') posts++;
    });
    await phone.setOffline(true);
    await reportTwoTaps(page, '治安隐患', detail);
    await page.click('[data-testid="m-submit"]');
    await page.locator('[data-testid="m-queue-count"]', { hasText: '待发送 1 条' }).waitFor();
    await screenshot(page, 'mobile-offline-queued');
    // Opened again without a signal (the service worker's shell, the worker last seen): the report still waits.
    await page.reload();
    await page.locator('[data-testid="m-duty"]').waitFor();
    await page.locator('[data-testid="m-queue-count"]', { hasText: '待发送 1 条' }).waitFor();
    const mine = async () =>
      (
        (await (await page.request.get(`${server.url}/api/m/tasks`)).json()) as {
          reports: { title: string }[];
        }
      ).reports.filter((r) => r.title.includes(detail)).length;
    expect(await mine()).toBe(0);

    await phone.setOffline(false);
    await page.locator('[data-testid="m-notice"]', { hasText: '已上报' }).waitFor({ timeout: 15_000 });
    await expect.poll(mine, { timeout: 10_000 }).toBe(1);
    // Reopening the page tries the queue again: nothing is left to send, nothing is sent twice.
    await page.reload();
    await page.locator('[data-testid="m-duty"]').waitFor();
    await page.waitForTimeout(1_000);
    expect(await page.locator('[data-testid="m-queue-count"]').count()).toBe(0);
    expect(await mine()).toBe(1);
    expect(posts).toBeGreaterThanOrEqual(1);
    await page.close();
  });
});

describe('task actions made offline', () => {
  it('queues 到场 and 办结 with a photo offline, shows them as 待发送, and resolves the incident exactly once', async () => {
    // Its own phone with service workers blocked, so that the test can drop one answer on the way back.
    const ctx = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      geolocation: center,
      permissions: ['geolocation'],
      locale: 'zh-CN',
      serviceWorkers: 'block',
    });
    const page = await ctx.newPage();
    await signIn(page, 'grid01', '/m');
    const duty = page.locator('[data-testid="m-duty"]');
    await duty.waitFor();
    if ((await duty.textContent())?.includes('上班')) {
      await duty.click();
      await page.locator('[data-testid="m-duty"]', { hasText: '下班' }).waitFor();
    }
    // A task of grid01's own: a report of theirs, assigned back to them in the console.
    const detail = `离线办结 ${Date.now()}`;
    const made = await page.request.post(`${server.url}/api/m/reports`, {
      data: {
        key: crypto.randomUUID(),
        category: 'environment',
        detail,
        lng: center.longitude,
        lat: center.latitude,
        reportedAt: Date.now(),
      },
      headers: { origin: server.url },
    });
    expect(made.status()).toBe(201);
    const id = ((await made.json()) as { id: string }).id;
    const me = (await (await page.request.get(`${server.url}/api/m/me`)).json()) as { workerId: string };
    const assigned = await desk.request.post(`${server.url}/api/incidents/${id}/assign`, {
      data: { workerId: me.workerId },
      headers: { origin: server.url },
    });
    expect(assigned.status()).toBe(200);
    await page.click('[data-testid="m-tab-tasks"]');
    const card = page.locator(`[data-testid="m-task"][data-id="${id}"]`);
    await card.waitFor({ timeout: 15_000 });

    // Offline: 到场, then a note with a photo and 办结. Both wait on the phone; nothing is shown as done.
    await ctx.setOffline(true);
    await card.locator('button', { hasText: '到场' }).click();
    await card.locator('[data-testid="m-task-pending"]', { hasText: '到场' }).waitFor();
    await card.locator('textarea').fill('离线处置完毕');
    await card.locator('input[type="file"]').setInputFiles(photoFile);
    await card.locator('label', { hasText: '(1)' }).waitFor();
    await card.locator('button', { hasText: '办结' }).click();
    await card.locator('[data-testid="m-task-pending"]', { hasText: '办结' }).waitFor();
    await page.locator('[data-testid="m-queue-count"]', { hasText: '待发送 2 条' }).waitFor();
    expect(await card.getAttribute('data-state')).toBe('dispatched');
    await screenshot(page, 'mobile-task-offline-queued');
    const stateOnServer = async () =>
      (
        (await (await desk.request.get(`${server.url}/api/incidents/${id}`)).json()) as {
          incident: { state: string };
        }
      ).incident.state;
    expect(await stateOnServer()).toBe('dispatched');

    // Back online, but the answer to 办结 is lost on the way back (the server did it; the phone cannot know):
    // it stays 待发送, and the resend (on the next start of the page) carries the same key. `resolveSends`
    // counts the sends of 办结 that reached the server; until `isReleased` later tries never leave the phone.
    let resolveSends = 0;
    let isReleased = false;
    await page.route('**/api/m/tasks/*/action', async (route) => {
      const body = route.request().postDataJSON() as { action: string };
      if (body.action !== 'resolve') return route.continue();
      if (isReleased) {
        resolveSends++;
        return route.continue();
      }
      if (resolveSends === 0) {
        resolveSends++;
        await route.fetch();
      }
      await route.abort('connectionreset');
    });
    await ctx.setOffline(false);
    await expect.poll(() => resolveSends, { timeout: 20_000 }).toBe(1);
    await expect.poll(stateOnServer, { timeout: 10_000 }).toBe('resolved');
    await page.locator('[data-testid="m-queue-count"]', { hasText: '待发送 1 条' }).waitFor();
    await card.locator('[data-testid="m-task-pending"]', { hasText: '办结' }).waitFor();
    isReleased = true;
    await page.reload();
    await expect.poll(() => resolveSends, { timeout: 20_000 }).toBe(2);
    await page.locator('[data-testid="m-notice"]', { hasText: '项任务操作已发送' }).waitFor();
    expect(await page.locator('[data-testid="m-queue-count"]').count()).toBe(0);
    await page.click('[data-testid="m-tab-tasks"]');
    await page.locator(`[data-testid="m-task"][data-id="${id}"][data-state="resolved"]`).waitFor();
    await screenshot(page, 'mobile-task-offline-sent');

    // Exactly once: one 办结 in the timeline and one audit row for it, the photo attached once.
    const timeline = (
      (await (await desk.request.get(`${server.url}/api/incidents/${id}`)).json()) as {
        timeline: { type: string; toState: string | null }[];
      }
    ).timeline;
    expect(timeline.filter((e) => e.toState === 'resolved')).toHaveLength(1);
    expect(timeline.filter((e) => e.toState === 'on_scene')).toHaveLength(1);
    const db = new Database(server.dbPath, { readonly: true, fileMustExist: true });
    try {
      const audits = db
        .prepare(
          `SELECT COUNT(*) FROM audit_log WHERE actor = 'grid01' AND object_id = ? AND action = 'incident.transition' AND result = 'ok'`,
        )
        .pluck()
        .get(id);
      expect(audits).toBe(2); // 到场 and 办结, one each
      expect(
        db.prepare('SELECT COUNT(*) FROM incident_attachments WHERE incident_id = ?').pluck().get(id),
      ).toBe(1);
    } finally {
      db.close();
    }
    await waitWallState(id, 'resolved');
    await ctx.close();
  });
});
