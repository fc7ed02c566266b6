import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * The wall against the built product in demo mode (`next build` first): screenshots at 1920×1080, 32:9,
 * 48:9, 7680×2160 and in briefing mode with no console errors and no scrollbars, the map filling the middle
 * and the splice panels on wide walls; the way in for an unauthorised screen; English kept across a reload;
 * drill-down by URL and by click; the 特急/紧急 alarm banners and search; the stale banner after the server
 * stops. The server-stop case runs last.
 */
const INGEST_TOKEN = 'wall-browser-test-ingest-token-0123';
const PASSWORD = 'pingan-demo';
/**
 * Four wall sizes (one 8K) and two briefings in one test: on software GL with the machine shared, it has taken
 * 114 s of the default 120 (and timed out once at the 8K step), so it gets room of its own.
 */
const LAYOUT_TEST_TIMEOUT_MS = 300_000;
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

/** Pages still open when a test ends (a failed one): closed then, so they do not load the next test. */
const openPages = new Set<Page>();

async function newPage(size: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage({ viewport: size });
  openPages.add(page);
  page.on('close', () => openPages.delete(page));
  return page;
}

async function signedInWall(size: { width: number; height: number }, path = '/wall') {
  const page = await newPage(size);
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

afterEach(async () => {
  for (const page of [...openPages]) await page.close().catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** The stage's scale and the territory's box on screen, in design pixels, beside the panel columns'. */
async function mapFit(page: Page, bbox: [number, number, number, number]) {
  // A fit is animated: measure where it ends.
  await page.waitForFunction(
    () => !(window as unknown as { __pinganMap: { isMoving(): boolean } }).__pinganMap.isMoving(),
  );
  return page.evaluate((b) => {
    const map = (
      window as unknown as { __pinganMap: { project(p: [number, number]): { x: number; y: number } } }
    ).__pinganMap;
    // Projected points are relative to the map's canvas, which a splice wall insets past its extra columns.
    const at = document.querySelector('[data-testid="live-map"]')!.getBoundingClientRect();
    const sw = map.project([b[0], b[1]]);
    const ne = map.project([b[2], b[3]]);
    sw.x += at.left;
    ne.x += at.left;
    const stage = document.querySelector('[data-testid="wall-stage"]')!;
    const scale = Number(/scale\(([\d.]+)\)/.exec(stage.getAttribute('style') ?? '')?.[1] ?? 1);
    const left = document.querySelector('[data-testid="col-left"]')!.getBoundingClientRect();
    const right = document.querySelector('[data-testid="col-right"]')!.getBoundingClientRect();
    return {
      gapLeft: (sw.x - left.right) / scale,
      gapRight: (right.left - ne.x) / scale,
      territoryW: (ne.x - sw.x) / scale,
    };
  }, bbox);
}

/** Text anywhere on the wall that says it is still loading. */
const loadingText = (page: Page) =>
  page.evaluate(() =>
    /加载中|Loading/.test(document.querySelector('[data-testid="wall-stage"]')?.textContent ?? ''),
  );

describe('wall', () => {
  it(
    'lays out 16:9, 32:9 and 48:9 walls and an 8K splice wall: map fills the middle, no scrollbars or console errors',
    async () => {
      const world = (await (await fetch(`${server.url}/api/map/world.json`)).json()) as {
        bbox: [number, number, number, number];
      };
      for (const [w, h, layout] of [
        [1920, 1080, 'standard'],
        [3840, 1080, 'splice'],
        [5760, 1080, 'splice'],
        [7680, 2160, 'splice'],
      ] as const) {
        const { page, watch } = await signedInWall({ width: w, height: h });
        await page.waitForSelector('[data-testid="incident-feed"] li', { timeout: 60_000 });
        await page.waitForTimeout(3_000); // map tiles and charts settle, the fit's animation ends
        expect(await hasNoScrollbars(page)).toBe(true);
        expect(await page.getAttribute('[data-testid="wall-root"]', 'data-layout')).toMatch(
          layout === 'standard' ? /^standard$/ : /^splice/,
        );
        if (layout !== 'standard') {
          // The splice panels: one card per town, the camera wall, the dispatch queue.
          // Polled every 10 s: a loaded machine may miss the first answer.
          await page.waitForSelector('[data-testid="town-cards"] button', { timeout: 40_000 });
          expect(await page.locator('[data-testid="town-cards"] button').count()).toBeGreaterThanOrEqual(2);
          await page.waitForSelector('[data-testid="camera-wall"]');
          await page.waitForSelector('[data-testid="panel-dispatch-queue"]');
        } else {
          expect(await page.locator('[data-testid="splice-left"]').count()).toBe(0);
        }
        // The territory reaches the panel columns on both sides: no band of black between them.
        const fit = await mapFit(page, world.bbox);
        expect(fit.territoryW).toBeGreaterThan(300);
        // Soft: every size is measured and screenshotted even when one is off.
        expect.soft(Math.abs(fit.gapLeft), `${w}×${h} left gap`).toBeLessThanOrEqual(40);
        expect.soft(Math.abs(fit.gapRight), `${w}×${h} right gap`).toBeLessThanOrEqual(40);
        expect(await loadingText(page)).toBe(false);
        await screenshot(page, `wall-${w}x${h}`);
        if (layout !== 'standard') {
          // Close-ups of the splice columns: the full-width picture is too small to judge their type by.
          for (const side of ['left', 'right'])
            await page
              .locator(`[data-testid="splice-${side}"]`)
              .screenshot({ path: path.join(ARTIFACTS_DIR, `wall-${w}x${h}-${side}.png`) });
        }
        if (w === 1920 || w === 3840) {
          // Briefing mode: larger type, same screen, still no scrollbars.
          await page.click('[data-testid="briefing-toggle"]');
          // Designed on 1600×900 instead of 1920×1080: everything 1.2× larger on the same screen.
          await expect
            .poll(() => page.getAttribute('[data-testid="wall-stage"]', 'style'))
            .toContain('scale(1.2)');
          await page.waitForTimeout(2_000);
          expect(await hasNoScrollbars(page)).toBe(true);
          const b = await mapFit(page, world.bbox);
          expect.soft(Math.abs(b.gapLeft), `${w}×${h} briefing left gap`).toBeLessThanOrEqual(40);
          expect.soft(Math.abs(b.gapRight), `${w}×${h} briefing right gap`).toBeLessThanOrEqual(40);
          await screenshot(page, `wall-briefing-${w}x${h}`);
        }
        expect(realErrors(watch.consoleErrors)).toEqual([]);
        expect(watch.externalRequests).toEqual([]);
        await page.close();
      }
    },
    LAYOUT_TEST_TIMEOUT_MS,
  );

  it('shows an unauthorised /wall the way in: a login link, a display-token hint, nothing loading, no console errors', async () => {
    const page = await newPage({ width: 1920, height: 1080 });
    const watch = watchPage(page);
    await page.goto(`${server.url}/wall`);
    const login = page.locator('[data-testid="login-link"]');
    await login.waitFor({ timeout: 30_000 });
    expect(await login.getAttribute('href')).toBe('/login?next=/wall');
    await expect.poll(() => page.textContent('[data-testid="access-notice"]')).toContain('/wall?token=');
    await page.waitForTimeout(3_000); // anything that would fail has had its chance
    expect(await loadingText(page)).toBe(false);
    await screenshot(page, 'wall-unauthorised');
    expect(watch.consoleErrors).toEqual([]);
    await login.click();
    await page.waitForURL((u) => u.pathname === '/login' && u.searchParams.get('next') === '/wall');
    await page.close();
  });

  it('keeps English across a reload, on every label it owns', async () => {
    const { page, watch } = await signedInWall({ width: 1920, height: 1080 });
    await page.click('[data-testid="lang-toggle"]');
    await expect.poll(() => page.textContent('[data-testid="wall-title"]')).toContain('Command Center');
    await page.reload();
    await page.waitForSelector('[data-testid="link-indicator"][data-status="live"]', { timeout: 60_000 });
    await expect.poll(() => page.textContent('[data-testid="wall-title"]')).toContain('Command Center');
    const periods = await page.locator('[data-testid="periods"] button').allTextContents();
    expect(periods).toEqual(['Today', '7 days', '10 days', 'Month']);
    // The clock is the centre's (the display zone, Asia/Shanghai in the demo), whatever the browser's zone.
    const zoneHm = () =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Shanghai',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }).format(Date.now());
    const before = zoneHm();
    const clock = (await page.textContent('[data-testid="clock"]')) ?? '';
    expect([before, zoneHm()]).toContain(clock.slice(0, 5));
    expect(clock).toMatch(/\d{4}-\d\d-\d\d (Sun|Mon|Tue|Wed|Thu|Fri|Sat)/);
    await page.waitForTimeout(2_000);
    await screenshot(page, 'wall-english');
    // Back to Chinese for whoever opens the wall next in this browser profile.
    await page.click('[data-testid="lang-toggle"]');
    await expect.poll(() => page.textContent('[data-testid="wall-title"]')).toContain('综治指挥中心');
    expect(realErrors(watch.consoleErrors)).toEqual([]);
    await page.close();
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

  it('takes a display token scoped to a town from /wall to its town, with the town’s panels and cards', async () => {
    const town = (await geojson('boundaries')).find((f) => f.properties.level === 'town')!;
    const code = town.properties.code;
    const login = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const made = await fetch(`${server.url}/api/display-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({ name: '镇街分屏', regionCode: code }),
    });
    expect(made.status).toBe(201);
    const { token } = (await made.json()) as { token: string };
    const page = await newPage({ width: 5760, height: 1080 });
    const watch = watchPage(page);
    await page.goto(`${server.url}/wall?token=${encodeURIComponent(token)}`);
    // The server clamps the token to its town: the page follows rather than titling the town's data as the
    // whole territory's and asking for panels it would be refused.
    await page.waitForURL((u) => u.pathname === `/wall/${code}` && u.searchParams.get('token') === token);
    await page.waitForSelector('[data-testid="link-indicator"][data-status="live"]', { timeout: 90_000 });
    await page.waitForSelector('[data-testid="town-cards"] button', { timeout: 40_000 });
    await page.waitForTimeout(2_000); // the map's fit to the town is animated
    await screenshot(page, 'wall-scoped-token');
    expect(realErrors(watch.consoleErrors)).toEqual([]);
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

  it('raises 特急 and 紧急 alarms: a banner each until 确认, the row flashing meanwhile; search finds it', async () => {
    // A 32:9 wall: its dispatch queue lists every waiting incident (the feed pages through them).
    const { page, watch } = await signedInWall({ width: 3840, height: 1080 });
    await expect.poll(() => page.getAttribute('[data-testid="alarm-armed"]', 'data-armed')).toBe('false');
    await page.mouse.click(1920, 40); // any click arms the sound (autoplay rules)
    await expect.poll(() => page.getAttribute('[data-testid="alarm-armed"]', 'data-armed')).toBe('true');
    const place = (await geojson('places')).find((f) => f.properties.kind === 'town')!;
    const [lng, lat] = place.geometry.coordinates as [number, number];
    const stamp = Date.now();
    const ingest = async (id: string, title: string, priority: number, category: string) => {
      const r = await fetch(`${server.url}/api/ingest/incidents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id,
          category,
          title,
          lng,
          lat,
          priority,
          source: 'sensor',
          reportedAt: Date.now(),
        }),
      });
      expect(r.status).toBe(202);
    };
    const critical = { id: `wall-alarm-${stamp}`, title: '浏览器测试：燃气泄漏' };
    const urgent = { id: `wall-urgent-${stamp}`, title: '浏览器测试：道路积水' };
    await ingest(critical.id, critical.title, 1, 'emergency');
    await ingest(urgent.id, urgent.title, 2, 'traffic');
    const banner = page.locator('[data-testid="alarm"]');
    const criticalRow = banner.locator(`[data-incident-id="${critical.id}"]`);
    const urgentRow = banner.locator(`[data-incident-id="${urgent.id}"]`);
    await criticalRow.waitFor({ timeout: 15_000 });
    await urgentRow.waitFor({ timeout: 15_000 });
    // Title, category and the time in the display zone (Asia/Shanghai in the demo).
    const text = (await criticalRow.textContent()) ?? '';
    expect(text).toContain(critical.title);
    expect(text).toContain('特急');
    expect(text).toContain('突发事件');
    const hm = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Shanghai',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const shown = /(\d\d:\d\d)/.exec(text)?.[1];
    expect([hm.format(stamp), hm.format(Date.now())]).toContain(shown);
    const queueRow = page.locator(`[data-testid="dispatch-queue"] [data-incident-id="${critical.id}"]`);
    await expect.poll(() => queueRow.getAttribute('class'), { timeout: 15_000 }).toMatch(/flash/);
    // Their map markers blink too: the map's alarm layer carries both ids until each is acknowledged.
    // Only this test's two: the demo simulator may raise an alarm of its own meanwhile (it did, once).
    const ours = new Set([critical.id, urgent.id]);
    const mapFlashing = async () =>
      (
        (await page.evaluate(
          'window.__pinganMapView ? window.__pinganMapView.flashingIds() : []',
        )) as string[]
      ).filter((id) => ours.has(id));
    await expect
      .poll(async () => (await mapFlashing()).sort(), { timeout: 15_000 })
      .toEqual([critical.id, urgent.id].sort());
    await screenshot(page, 'wall-alarm');
    // A close-up of the marker at 5 m: the halo's two blink phases, a little over half a period apart.
    const at = (await page.evaluate(
      ([x, y]) =>
        (
          window as unknown as {
            __pinganMapView: { project(a: number, b: number): { x: number; y: number } };
          }
        ).__pinganMapView.project(x!, y!),
      [lng, lat],
    )) as { x: number; y: number };
    const clip = { x: Math.max(0, at.x - 300), y: Math.max(0, at.y - 200), width: 600, height: 400 };
    for (const phase of ['a', 'b']) {
      await page.screenshot({ path: path.join(ARTIFACTS_DIR, `wall-alarm-map-${phase}.png`), clip });
      await page.waitForTimeout(900);
    }
    // The banner stays until a person acknowledges each one.
    await criticalRow.locator('[data-testid="alarm-ack"]').click();
    await expect.poll(() => criticalRow.count()).toBe(0);
    expect(await urgentRow.count()).toBe(1);
    await expect.poll(() => queueRow.getAttribute('class')).not.toMatch(/flash/);
    // Acknowledged: its marker stops blinking; the other's goes on.
    await expect.poll(mapFlashing, { timeout: 10_000 }).toEqual([urgent.id]);
    await urgentRow.locator('[data-testid="alarm-ack"]').click();
    await expect.poll(() => urgentRow.count()).toBe(0);
    await expect.poll(mapFlashing, { timeout: 10_000 }).toEqual([]);
    await queueRow.click();
    await page.waitForSelector('[data-testid="detail-drawer"][data-kind="incident"]');
    await page.click('[data-testid="detail-drawer"] button[aria-label]'); // close it
    // The header's search finds the incident and opens its details.
    await page.fill('[data-testid="search-box"] input', '燃气泄漏');
    const hit = page.locator(`[data-testid="search-results"] [data-id="${critical.id}"]`);
    await hit.waitFor({ timeout: 10_000 });
    await hit.click();
    await page.waitForSelector('[data-testid="detail-drawer"][data-kind="incident"]');
    await expect.poll(() => page.textContent('[data-testid="detail-drawer"]')).toContain('燃气泄漏');
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
