import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * The built product (demo world): a 12345 work order pushed through the adapter shows in the console with
 * its 诉求类型 and the caller's number; the dispatcher records the reply to the citizen; a camera alarm with
 * a snapshot from an AI platform shows its picture among the incident's photos, which opens full size (Esc
 * closes it). Screenshots for a look.
 */
const HOTLINE_TOKEN = 'hotline-token-for-browser-test';
const INGEST_TOKEN = 'ingest-token-for-browser-test';
const SPOT = { lng: 120.1551, lat: 30.2741 };
const CAMERA = '34020000001329999001';

let server: ServerProcess;
let browser: Browser;
let page: Page;
let watch: ReturnType<typeof watchPage>;

async function post(path: string, token: string, body: unknown) {
  const r = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asserted structurally
  return (await r.json()) as any;
}

beforeAll(async () => {
  server = await startServerProcess({
    DEMO: '1',
    SIM_INCIDENTS_PER_HOUR: '0',
    DEMO_HISTORY_DAYS: '1',
    INGEST_TOKEN,
    HOTLINE_TOKEN,
  });
  browser = await launchBrowser();
  const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  page = await ctx.newPage();
  watch = watchPage(page);
  await page.goto(`${server.url}/login?next=${encodeURIComponent('/dispatch')}`);
  await page.fill('input[name="username"]', 'dispatcher');
  await page.fill('input[name="password"]', 'pingan-demo');
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/dispatch'),
    page.click('button[type="submit"]'),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('12345 work orders and camera alarms in the console', () => {
  it('shows the work order, records the reply, and shows an alarm snapshot', async () => {
    const orderNo = `GD${Date.now()}`;
    const pushed = await post('/api/ingest/hotline', HOTLINE_TOKEN, {
      orderNo,
      appealType: '投诉',
      title: '夜市占道经营噪音扰民',
      content: '清泰街夜市占道经营，噪音扰民至凌晨一点，多次反映未解决',
      callerName: '李女士',
      callerNumber: '13912345678',
      address: '清泰街 100 号',
      location: SPOT,
      acceptedAt: new Date(Date.now() - 60_000).toISOString(),
      urgency: '紧急',
    });
    expect(pushed.accepted).toBe(1);
    const incidentId = pushed.orders[0].incidentId as string;

    await page.locator(`[data-testid="queue-item-${incidentId}"]`).click({ timeout: 30_000 });
    const section = page.locator('[data-testid="hotline-section"]');
    await section.waitFor();
    expect(await page.locator('[data-testid="hotline-appeal-type"]').inputValue()).toBe('complaint');
    expect(await page.locator('[data-testid="hotline-caller"]').textContent()).toContain('13912345678');
    await section.locator('textarea').fill('已转城管中队，今晚起夜间巡查，三日内回访');
    await page.click('[data-testid="hotline-reply-send"]');
    await page
      .locator('[data-testid="hotline-reply"]', { hasText: '已转城管中队' })
      .waitFor({ timeout: 10_000 });
    await screenshot(page, 'hotline-console-reply');

    // A camera the platform reports for the first time registers with its position, then alarms.
    const cam = await fetch(`${server.url}/api/ingest/cameras`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: CAMERA, status: 'online', ts: Date.now(), name: '清泰街口', ...SPOT }),
    });
    expect(cam.status).toBe(202);
    const snapshot = await sharp({
      create: { width: 480, height: 270, channels: 3, background: { r: 200, g: 90, b: 40 } },
    })
      .jpeg()
      .toBuffer();
    let alarm: { results: { status: string; incidentId?: string; reason?: string }[] } | null = null;
    // Camera registration is asynchronous (the bus): retry until the camera is known.
    for (let k = 0; k < 40; k++) {
      alarm = await post('/api/ingest/alarms', INGEST_TOKEN, {
        cameraId: CAMERA,
        type: 'smoke_fire',
        time: Date.now(),
        confidence: 0.92,
        snapshot: snapshot.toString('base64'),
      });
      if (alarm?.results[0]?.status === 'created') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(alarm?.results[0]?.status).toBe('created');
    await page
      .locator(`[data-testid="queue-item-${alarm!.results[0]!.incidentId}"]`)
      .click({ timeout: 30_000 });
    const img = page.locator('[data-testid="alarm-snapshot"] img');
    await img.waitFor();
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid="alarm-snapshot"] img') as HTMLImageElement | null)
          ?.naturalWidth === 480,
    );
    await screenshot(page, 'hotline-console-alarm');
    const sections = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="incident-detail"]')].map((d) => ({
        title: d.querySelector('[data-testid="incident-title"]')?.textContent,
        hasHotline: d.querySelector('[data-testid="hotline-section"]') !== null,
      })),
    );
    // Only the alarm's panel is open: no 12345 section left over from the work order, one snapshot.
    expect(sections).toEqual([{ title: expect.stringContaining('烟火'), hasHotline: false }]);
    expect(await page.locator('[data-testid="alarm-snapshot"]').count()).toBe(1);

    // The snapshot opens full size over the page; Esc closes it and leaves the panel as it was.
    await page.click('[data-testid="alarm-snapshot"]');
    const lightbox = page.locator('[data-testid="photo-lightbox"]');
    await lightbox.waitFor();
    await page.waitForFunction(
      () =>
        (document.querySelector('[data-testid="photo-full"]') as HTMLImageElement | null)?.naturalWidth ===
        480,
    );
    expect(await lightbox.textContent()).toContain('告警抓拍');
    await screenshot(page, 'hotline-console-alarm-lightbox');
    await page.keyboard.press('Escape');
    await lightbox.waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid="incident-detail"]').count()).toBe(1);
    expect(watch.consoleErrors).toEqual([]);
    expect(watch.externalRequests).toEqual([]);
  });
});
