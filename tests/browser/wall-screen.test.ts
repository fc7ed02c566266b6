import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * The wall against the built product in demo mode (`next build` first): screenshots at 1920×1080 and
 * 7680×2160 with no console errors and no scrollbars; drill-down by URL and by click; the 特急 alarm path;
 * the stale banner after the server stops. The server-stop case runs last.
 */
const INGEST_TOKEN = 'wall-browser-test-ingest-token-0123';
const PASSWORD = 'pingan-demo';
/** DESIGN §5: a disconnected wall says so within 15 s. */
const STALE_BANNER_MS = 15_000;

let server: ServerProcess;
let browser: Browser;

interface Feature {
  properties: { code: string; level?: string; kind?: string; name?: string };
  geometry: { type: string; coordinates: unknown };
}

async function geojson(name: string): Promise<Feature[]> {
  const r = await fetch(`${server.url}/api/map/data/${name}.geojson`);
  expect(r.ok).toBe(true);
  return ((await r.json()) as { features: Feature[] }).features;
}

async function signedInWall(size: { width: number; height: number }, path = '/wall') {
  const page = await browser.newPage({ viewport: size });
  const watch = watchPage(page);
  await page.goto(`${server.url}/login?next=${encodeURIComponent(path)}`);
  await page.fill('input[name="username"]', 'duty');
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === path), page.click('button[type="submit"]')]);
  await page.waitForSelector('[data-testid="link-indicator"][data-status="live"]', { timeout: 90_000 });
  return { page, watch };
}

/** GL driver chatter from software rendering is not ours; everything else in the console is. */
const realErrors = (errors: string[]) => errors.filter((e) => !/GL Driver Message|GPU stall/.test(e));

async function hasNoScrollbars(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      document.documentElement.scrollWidth <= window.innerWidth &&
      document.documentElement.scrollHeight <= window.innerHeight,
  );
}

beforeAll(async () => {
  server = await startServerProcess({ DEMO: '1', INGEST_TOKEN });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('wall', () => {
  it('renders at 1920×1080 and on an 8K splice wall without scrollbars or console errors', async () => {
    for (const [w, h] of [
      [1920, 1080],
      [7680, 2160],
    ] as const) {
      const { page, watch } = await signedInWall({ width: w, height: h });
      await page.waitForSelector('[data-testid="incident-feed"] li', { timeout: 60_000 });
      await page.waitForTimeout(3_000); // map tiles and charts settle
      expect(await hasNoScrollbars(page)).toBe(true);
      await screenshot(page, `wall-${w}x${h}`);
      if (w === 1920) {
        // Briefing mode: larger type, same screen, still no scrollbars.
        await page.click('[data-testid="briefing-toggle"]');
        // Designed on 1600×900 instead of 1920×1080: everything 1.2× larger on the same screen.
        await expect
          .poll(() => page.getAttribute('[data-testid="wall-stage"]', 'style'))
          .toContain('scale(1.2)');
        await page.waitForTimeout(1_500);
        expect(await hasNoScrollbars(page)).toBe(true);
        await screenshot(page, 'wall-briefing');
      }
      expect(realErrors(watch.consoleErrors)).toEqual([]);
      expect(watch.externalRequests).toEqual([]);
      await page.close();
    }
  });

  it('drills down by URL: the panels count for the town and the breadcrumb leads back', async () => {
    const town = (await geojson('boundaries')).find((f) => f.properties.level === 'town')!;
    const names = await geojson('places');
    const townName = names.find((f) => f.properties.code === town.properties.code)?.properties.name ?? '';
    const { page } = await signedInWall({ width: 1920, height: 1080 }, `/wall/${town.properties.code}`);
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="wall-title"]')?.textContent?.includes(n),
      townName,
    );
    await expect.poll(() => page.locator('[data-testid="breadcrumb"] a').count()).toBeGreaterThanOrEqual(2);
    await page.waitForTimeout(2_000); // the map's fit to the town is animated
    await screenshot(page, 'wall-town');
    await page.locator('[data-testid="breadcrumb"] a').first().click();
    await page.waitForURL((u) => u.pathname === '/wall');
    await page.close();
  });

  it('drills down by clicking a town on the map', async () => {
    const place = (await geojson('places')).find((f) => f.properties.kind === 'town')!;
    const { page } = await signedInWall({ width: 1920, height: 1080 });
    // Only the areas layer, so the click lands on a town rather than on a unit or camera.
    for (const layer of ['incidents', 'vehicles', 'trails', 'cameras'])
      await page.click(`[data-layer="${layer}"]`);
    await page.waitForTimeout(1_500);
    const xy = await page.evaluate((c) => {
      const map = (window as unknown as { __pinganMap: { project(p: unknown): { x: number; y: number } } })
        .__pinganMap;
      return map.project(c);
    }, place.geometry.coordinates);
    await page.mouse.click(xy.x, xy.y);
    await page.waitForURL((u) => /^\/wall\/\d{12}$/.test(u.pathname), { timeout: 10_000 });
    expect(new URL(page.url()).pathname.slice(6, 15)).toBe(String(place.properties.code).slice(0, 9));
    // The same connection is re-scoped (no reload): the panels now count for the town.
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="wall-title"]')?.textContent?.includes(n),
      place.properties.name ?? '',
      { timeout: 15_000 },
    );
    await page.close();
  });

  it('opens a unit’s details when it is clicked on the map (who it is comes from its idx)', async () => {
    const place = (await geojson('places')).find((f) => f.properties.kind === 'town')!;
    const [lng, lat] = place.geometry.coordinates as [number, number];
    const { page, watch } = await signedInWall({ width: 1920, height: 1080 });
    for (const layer of ['grids', 'incidents', 'trails', 'cameras'])
      await page.click(`[data-layer="${layer}"]`);
    const car = { id: 'wall-click-car', lng: lng + 0.004, lat: lat + 0.004, name: '测试巡逻车' };
    const report = async () => {
      const r = await fetch(`${server.url}/api/ingest/vehicles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...car, status: 'patrol', ts: Date.now() }),
      });
      expect(r.status).toBe(202);
    };
    await report();
    await page.waitForTimeout(2_000);
    await report(); // registered by now: this report is on the map
    await page.waitForTimeout(1_500);
    const xy = await page.evaluate(
      (c) => {
        const map = (window as unknown as { __pinganMap: { project(p: unknown): { x: number; y: number } } })
          .__pinganMap;
        return map.project(c);
      },
      [car.lng, car.lat],
    );
    await page.mouse.click(xy.x, xy.y);
    const drawer = page.locator('[data-testid="detail-drawer"][data-kind="vehicle"]');
    await drawer.waitFor({ timeout: 10_000 });
    await expect.poll(() => drawer.textContent()).toContain(car.name);
    expect(realErrors(watch.consoleErrors)).toEqual([]);
    await page.close();
  });

  it('plays a camera’s stream in its details with hls.js', async () => {
    // A stand-in stream server on another port: a live playlist whose segments are requested in turn.
    const requests: string[] = [];
    const hls = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      res.setHeader('access-control-allow-origin', '*');
      if (req.url?.endsWith('.m3u8')) {
        res.setHeader('content-type', 'application/vnd.apple.mpegurl');
        res.end(
          '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:1\n#EXTINF:2.0,\nseg1.ts\n',
        );
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => hls.listen(0, '127.0.0.1', r));
    const streamUrl = `http://127.0.0.1:${(hls.address() as AddressInfo).port}/live/cam.m3u8`;
    try {
      const place = (await geojson('places')).find((f) => f.properties.kind === 'town')!;
      const [lng, lat] = place.geometry.coordinates as [number, number];
      const cam = { id: '51010400001320099001', lng: lng - 0.003, lat: lat - 0.003, name: '测试球机' };
      const r = await fetch(`${server.url}/api/ingest/cameras`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...cam, status: 'online', streamUrl, ts: Date.now() }),
      });
      expect(r.status).toBe(202);
      const { page, watch } = await signedInWall({ width: 1920, height: 1080 });
      for (const layer of ['grids', 'incidents', 'vehicles', 'trails'])
        await page.click(`[data-layer="${layer}"]`);
      // Close enough that cameras are drawn one by one, not aggregated.
      const xy = await page.evaluate(
        `(() => { const m = window.__pinganMap; m.jumpTo({ center: [${cam.lng}, ${cam.lat}], zoom: 17 });
          return m.project([${cam.lng}, ${cam.lat}]); })()`,
      );
      await page.waitForTimeout(2_000);
      const at = xy as { x: number; y: number };
      await page.mouse.click(at.x, at.y);
      const drawer = page.locator('[data-testid="detail-drawer"][data-kind="camera"]');
      await drawer.waitFor({ timeout: 10_000 });
      await expect.poll(() => drawer.textContent()).toContain(cam.name);
      await drawer.locator('[data-testid="camera-preview"]').waitFor();
      // hls.js fetched the playlist and went on to its segment: the preview is wired to the stream.
      await expect.poll(() => requests, { timeout: 10_000 }).toContain('/live/seg1.ts');
      expect(requests).toContain('/live/cam.m3u8');
      expect(realErrors(watch.consoleErrors).filter((e) => !/404|seg1\.ts/.test(e))).toEqual([]);
      await page.close();
    } finally {
      hls.close();
    }
  });

  it('raises the 特急 alarm: arm with a click, a flashing entry, acknowledge', async () => {
    const { page, watch } = await signedInWall({ width: 1920, height: 1080 });
    await expect.poll(() => page.getAttribute('[data-testid="alarm-armed"]', 'data-armed')).toBe('false');
    await page.mouse.click(960, 40); // any click arms the sound (autoplay rules)
    await expect.poll(() => page.getAttribute('[data-testid="alarm-armed"]', 'data-armed')).toBe('true');
    const place = (await geojson('places')).find((f) => f.properties.kind === 'town')!;
    const [lng, lat] = place.geometry.coordinates as [number, number];
    const id = `wall-alarm-${Date.now()}`;
    const title = '浏览器测试：燃气泄漏';
    const r = await fetch(`${server.url}/api/ingest/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id,
        category: 'emergency',
        title,
        lng,
        lat,
        priority: 1,
        source: 'sensor',
        reportedAt: Date.now(),
      }),
    });
    expect(r.status).toBe(202);
    await page.waitForSelector(`[data-testid="alarm"] >> text=${title}`, { timeout: 15_000 });
    const row = page.locator(`[data-testid="incident-feed"] [data-incident-id="${id}"]`);
    await expect.poll(() => row.getAttribute('class')).toMatch(/flash/);
    await screenshot(page, 'wall-alarm');
    await page.click('[data-testid="alarm-ack"]');
    await expect.poll(() => page.locator('[data-testid="alarm"]').count()).toBe(0);
    await row.click();
    await page.waitForSelector('[data-testid="detail-drawer"][data-kind="incident"]');
    expect(realErrors(watch.consoleErrors)).toEqual([]);
    await page.close();
  });

  it('shows the stale banner within 15 s of losing the server', async () => {
    const { page } = await signedInWall({ width: 1920, height: 1080 });
    // A loaded CI box can delay a batch past LINK_STALE_AFTER_MS; start from a wall that is live right now.
    await page.waitForSelector('[data-testid="stale-banner"]', { state: 'detached', timeout: 30_000 });
    const stoppedAt = Date.now();
    await server.stop('SIGKILL');
    await page.waitForSelector('[data-testid="stale-banner"][data-status="disconnected"]', {
      timeout: STALE_BANNER_MS,
    });
    expect(Date.now() - stoppedAt).toBeLessThan(STALE_BANNER_MS);
    await screenshot(page, 'wall-stale');
    await page.close();
  });
});
