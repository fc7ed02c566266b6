import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * 轨迹回放 and 处置回放 on the wall against the built product in demo mode (`next build` first). A vehicle's
 * positions go in through the HTTP ingest with past times (a drive, a 5-minute stop, a drive); an incident
 * near its end is dispatched to it, it drives there (live reports) and arrives. A leader clicks the vehicle,
 * opens its track (path drawn, the stop listed with its length, the distance), opens the incident it handled
 * from the track's list, and opens its playback (steps, time to arrive, the route drawn).
 * Screenshots: test-results/history-track-1920x1080.png, test-results/history-playback-1920x1080.png.
 */
const INGEST_TOKEN = 'history-track-browser-token-0123456789';
const PASSWORD = 'pingan-demo';
const VEHICLE = 'TRK-BR-1';
const STEP_MS = 30_000;
const TEST_TIMEOUT_MS = 240_000;

let server: ServerProcess;
let browser: Browser;

const realErrors = (errors: string[]) => errors.filter((e) => !/GL Driver Message|GPU stall/.test(e));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post(path: string, body: unknown, headers: Record<string, string>) {
  const r = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json().catch(() => null)) as unknown };
}

/** One report a request, a few ticks apart: the live state keeps only a unit's newest report of a tick. */
async function report(p: { ts: number; lng: number; lat: number; speed: number }) {
  const r = await post('/api/ingest/vehicles', [{ id: VEHICLE, status: 'patrol', heading: 90, ...p }], {
    authorization: `Bearer ${INGEST_TOKEN}`,
  });
  expect(r.status).toBe(202);
  await sleep(150);
}

async function login(username: string): Promise<string> {
  const r = await fetch(`${server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(r.status).toBe(200);
  return r.headers.get('set-cookie')!.split(';')[0]!;
}

async function signIn(page: Page, username: string, path: string) {
  await page.goto(`${server.url}/login?next=${encodeURIComponent(path)}`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === path), page.click('button[type="submit"]')]);
}

async function mapSettled(page: Page) {
  await page.waitForFunction(
    `(() => { const m = window.__pinganMap; return !!m && m.loaded() && !m.isMoving(); })()`,
    undefined,
    { timeout: 120_000 },
  );
  await page.waitForTimeout(1_500); // a redraw or two of the deck.gl overlays (2/s on software GL)
}

beforeAll(async () => {
  server = await startServerProcess({
    DEMO: '1',
    INGEST_TOKEN,
    SIM_INCIDENTS_PER_HOUR: '0',
    DEMO_HISTORY_DAYS: '0',
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('a unit track and an incident playback on the wall', () => {
  it(
    'draws the track with its stop and distance, and plays back the incident it handled',
    async () => {
      const w = (await (await fetch(`${server.url}/api/map/world.json`)).json()) as {
        center: [number, number];
      };
      const [lng0, lat0] = [w.center[0] + 0.01, w.center[1] - 0.01];
      const mPerDegLng = 111_320 * Math.cos((lat0 * Math.PI) / 180);
      // 45 minutes ago: 10 steps east (150 m each), a 5-minute stop (jitter under 10 m), 12 steps north.
      const T0 = Date.now() - 45 * 60_000;
      const past: { ts: number; lng: number; lat: number; speed: number }[] = [];
      let [x, y] = [0, 0];
      const at = (k: number, speed: number) =>
        past.push({
          ts: T0 + k * STEP_MS,
          lng: Math.round((lng0 + x / mPerDegLng) * 1e6) / 1e6,
          lat: Math.round((lat0 + y / 111_320) * 1e6) / 1e6,
          speed,
        });
      let k = 0;
      for (let i = 0; i < 10; i++, k++) at(k, ((x += 150), 15 + i * 4));
      for (let i = 0; i < 10; i++, k++) at(k, ((x += i % 2 ? 6 : -6), 0));
      for (let i = 0; i < 12; i++, k++) at(k, ((y += 200), 40 + i * 5));
      for (const p of past) await report(p);

      const leader = await login('leader');
      const trackUrl = `${server.url}/api/history/track/vehicle/${VEHICLE}?from=${T0 - 1}&to=${Date.now()}`;
      let stored = 0;
      for (let i = 0; i < 100 && stored < past.length; i++) {
        const r = await fetch(trackUrl, { headers: { cookie: leader } });
        stored = r.ok ? ((await r.json()) as { points: unknown[] }).points.length : 0;
        if (stored < past.length) await sleep(200);
      }
      expect(stored).toBe(past.length);

      // An incident 600 m on, dispatched to the car, which drives 440 m towards it and reports arrival.
      const end = past[past.length - 1]!;
      const scene = { lng: end.lng, lat: Math.round((end.lat + 600 / 111_320) * 1e6) / 1e6 };
      const incidentId = `TRK-INC-${Date.now()}`;
      const ing = await post(
        '/api/ingest/incidents',
        [
          {
            id: incidentId,
            category: 'public_security',
            title: '轨迹测试：路口纠纷',
            ...scene,
            priority: 2,
            source: 'video_patrol',
            reportedAt: Date.now(),
          },
        ],
        { authorization: `Bearer ${INGEST_TOKEN}` },
      );
      expect(ing.status).toBe(202);
      const dispatcher = await login('dispatcher');
      const act = (path: string, body: unknown) =>
        post(`/api/incidents/${incidentId}/${path}`, body, { cookie: dispatcher });
      let assigned = 0;
      for (let i = 0; i < 50 && assigned !== 200; i++) {
        assigned = (await act('assign', { vehicleId: VEHICLE })).status;
        if (assigned !== 200) await sleep(200);
      }
      expect(assigned).toBe(200);
      await sleep(1_100);
      for (let i = 1; i <= 4; i++) {
        await report({
          ts: Date.now(),
          lng: end.lng,
          lat: Math.round((end.lat + (i * 110) / 111_320) * 1e6) / 1e6,
          speed: 30 + i * 10,
        });
        await sleep(1_000);
      }
      expect((await act('transition', { to: 'on_scene' })).status).toBe(200);

      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      const watch = watchPage(page);
      try {
        await signIn(page, 'leader', '/wall');
        await page.waitForSelector('[data-testid="link-indicator"][data-status="live"]', { timeout: 90_000 });
        await page.waitForFunction('!!window.__pinganMapView', undefined, { timeout: 60_000 });
        await mapSettled(page);
        // Street level on the car (where it is now), so no other unit shares its pixels; then click it.
        // It reported last 160 m short of the incident's marker, which would take the click.
        const last = { lng: end.lng, lat: Math.round((end.lat + 440 / 111_320) * 1e6) / 1e6 };
        await page.evaluate(({ lng, lat }) => {
          const w = window as unknown as {
            __pinganMap: {
              jumpTo(o: unknown): void;
              unproject(p: [number, number]): unknown;
              getContainer(): HTMLElement;
            };
            __pinganMapView: { project(lng: number, lat: number): { x: number; y: number } };
          };
          const p = w.__pinganMapView.project(lng, lat);
          const r = w.__pinganMap.getContainer().getBoundingClientRect();
          w.__pinganMap.jumpTo({ center: w.__pinganMap.unproject([p.x - r.left, p.y - r.top]), zoom: 17 });
        }, last);
        await mapSettled(page);
        const p = (await page.evaluate(
          ({ lng, lat }) =>
            (
              window as unknown as {
                __pinganMapView: { project(lng: number, lat: number): { x: number; y: number } };
              }
            ).__pinganMapView.project(lng, lat),
          last,
        )) as { x: number; y: number };
        await page.mouse.click(p.x, p.y);
        await page.waitForSelector('[data-testid="detail-drawer"][data-kind="vehicle"]', { timeout: 20_000 });
        // The details arrive a moment after the drawer opens.
        await page.waitForFunction(
          (id) => document.querySelector('[data-testid="drawer-id"]')?.textContent?.includes(id),
          VEHICLE,
          { timeout: 20_000 },
        );

        // 轨迹回放, the last hour (the default).
        await page.click('[data-testid="track-open"]');
        await page.waitForSelector('[data-testid="track-section"][data-state="ready"]', { timeout: 30_000 });
        expect(Number(await page.getAttribute('[data-testid="track-section"]', 'data-points'))).toBe(
          past.length + 4,
        );
        await page.waitForFunction('!!window.__pinganTrackView', undefined, { timeout: 10_000 });
        const ids = (await page.evaluate('window.__pinganTrackView.layerIds()')) as string[];
        expect(ids).toEqual(expect.arrayContaining(['track-path', 'track-marks', 'track-incidents']));
        const stops = await page.locator('[data-testid="track-stops"] li').allTextContents();
        expect(stops).toHaveLength(1);
        expect(stops[0]).toContain('5分钟');
        // 1.5 km east, 2.4 km north, then 600 m to the scene (metres of jitter at the stop on top).
        const distance = await page.textContent('[data-testid="track-distance"]');
        expect(distance).toMatch(/^4\.\d km$/);
        const handled = page.locator('[data-testid="track-incident"]');
        expect(await handled.count()).toBe(1);
        expect(await handled.textContent()).toContain('轨迹测试');
        await mapSettled(page);
        await screenshot(page, 'history-track-1920x1080');

        // The incident it handled opens from the list; its playback draws the route dispatch → arrival.
        await handled.click();
        await page.waitForSelector('[data-testid="detail-drawer"][data-kind="incident"]', {
          timeout: 20_000,
        });
        await page.click('[data-testid="playback-open"]');
        await page.waitForSelector('[data-testid="playback-section"][data-state="ready"]', {
          timeout: 30_000,
        });
        const steps = await page
          .locator('[data-testid="playback-steps"] li')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-step')));
        expect(steps).toEqual(['reported', 'dispatched', 'on_scene']);
        expect(await page.textContent('[data-testid="playback-arrive"]')).toMatch(/^\d+秒$/);
        expect(Number(await page.getAttribute('[data-testid="playback-section"]', 'data-points'))).toBe(4);
        expect(await page.textContent('[data-testid="playback-unit"]')).toContain(VEHICLE);
        await page.waitForFunction(
          '!!window.__pinganTrackView && window.__pinganTrackView.marks === 2',
          undefined,
          { timeout: 10_000 },
        );
        await mapSettled(page);
        await screenshot(page, 'history-playback-1920x1080');

        expect(realErrors(watch.consoleErrors)).toEqual([]);
      } catch (err) {
        await screenshot(page, 'history-track-failed');
        throw err;
      } finally {
        await page.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
