import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTime } from '@/lib/time/display-time';
import { launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { fetchJson } from '../helpers/http';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * Replay (回放) on the wall against the built product in demo mode (`next build` first). The demo simulator
 * drives the units live and the history writer stores every position, so after a short wait the server holds
 * a recorded period; the backfill gives it incidents. A leader starts replay from the header (the picker),
 * returns to live, then reopens a period by URL (as a briefing link would), plays it and watches the units
 * move in the map's own layer data, seeks on the timeline and returns to live again.
 * The second test records a car of its own through a case (sent, on scene, resolved) and checks that in
 * replay the drawer shows the car (clicked on the map or found by search) and the case (its steps and 处置回放)
 * as they stood at the replay instant, not as they are now, and that the live-only controls give way while
 * drill-down still works. The third has a case change hands (car 甲 sent, on scene, 退单; car 乙 sent) and
 * seeks across the handover with the case's drawer open: 甲 holds it, then nobody since the 退单 (甲's 到场
 * still shown), then 乙.
 * Screenshots: test-results/wall-replay-1920x1080.png, test-results/wall-replay-drawer-1920x1080.png,
 * test-results/wall-replay-handover-1920x1080.png.
 */
const PASSWORD = 'pingan-demo';
const INGEST_TOKEN = 'wall-replay-browser-token-0123456789';
/**
 * Live simulator time recorded before the replayed period is cut (ms): more than REPLAY_MIN_SPAN_MS, the
 * shortest period the wall replays.
 */
const RECORD_MS = 75_000;
/** Per test: a sign-in, and the map mounting twice (live, then replay) on software GL on a shared machine. */
const TEST_TIMEOUT_MS = 240_000;

let server: ServerProcess;
let browser: Browser;
let startedAt = 0;

/** GL driver chatter from software rendering is not ours; everything else in the console is. */
const realErrors = (errors: string[]) => errors.filter((e) => !/GL Driver Message|GPU stall/.test(e));

async function signIn(page: Page, username: string, path: string) {
  await page.goto(`${server.url}/login?next=${encodeURIComponent(path)}`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === path), page.click('button[type="submit"]')]);
}

type Positions = number[][];
const positions = (page: Page) =>
  page.evaluate(
    'window.__pinganMapView ? window.__pinganMapView.vehiclePositions() : []',
  ) as Promise<Positions>;
const layerIds = (page: Page) =>
  page.evaluate('window.__pinganMapView ? window.__pinganMapView.layerIds() : []') as Promise<string[]>;
const replayAt = async (page: Page) =>
  Number(await page.getAttribute('[data-testid="replay-bar"]', 'data-at'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const post = (path: string, body: unknown, headers: Record<string, string>) =>
  fetchJson(`${server.url}${path}`, { method: 'POST', headers, body });

type Car = { id: string; name: string };
type Spot = { lng: number; lat: number };

/** Spots so many metres east and north of a corner of the demo world (to the micro-degree ingest keeps). */
async function spotsNear(dLng: number, dLat: number) {
  const w = (await (await fetch(`${server.url}/api/map/world.json`)).json()) as { center: [number, number] };
  const [lng0, lat0] = [w.center[0] + dLng, w.center[1] + dLat];
  const mPerDegLng = 111_320 * Math.cos((lat0 * Math.PI) / 180);
  return (eastM: number, northM: number): Spot => ({
    lng: Math.round((lng0 + eastM / mPerDegLng) * 1e6) / 1e6,
    lat: Math.round((lat0 + northM / 111_320) * 1e6) / 1e6,
  });
}

async function reportCar(car: Car, p: Spot, speed: number, status?: string) {
  const r = await post(
    '/api/ingest/vehicles',
    [{ ...car, ...p, speed, heading: 90, ts: Date.now(), ...(status ? { status } : {}) }],
    { authorization: `Bearer ${INGEST_TOKEN}` },
  );
  expect(r.status).toBe(202);
  await sleep(300); // a tick or two: the history writer stores what a tick sealed
}

/** A police_110 case (not a camera alarm: its drawer would ask for a snapshot it never had, a 404). */
async function ingestCase(id: string, title: string, p: Spot) {
  const r = await post(
    '/api/ingest/incidents',
    [
      {
        id,
        category: 'public_security',
        title,
        ...p,
        priority: 2,
        source: 'police_110',
        reportedAt: Date.now(),
      },
    ],
    { authorization: `Bearer ${INGEST_TOKEN}` },
  );
  expect(r.status).toBe(202);
}

/** The dispatcher's desk on one case; `assign` waits for the case and the car to reach the live state. */
async function desk(incidentId: string) {
  const cookie = await login('dispatcher');
  const act = (path: string, body: unknown) => post(`/api/incidents/${incidentId}/${path}`, body, { cookie });
  const assign = async (vehicleId: string) => {
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await act('assign', { vehicleId })).status;
      if (status !== 200) await sleep(200);
    }
    expect(status).toBe(200);
  };
  return { act, assign };
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

async function mapSettled(page: Page) {
  await page.waitForFunction(
    `(() => { const m = window.__pinganMap; return !!m && m.loaded() && !m.isMoving(); })()`,
    undefined,
    { timeout: 120_000 },
  );
  await page.waitForTimeout(1_500); // a redraw or two of the deck.gl overlays (2/s on software GL)
}

interface MapWindow {
  __pinganMap: { jumpTo(o: unknown): void; project(p: unknown): { x: number; y: number } };
  __pinganMapView: { project(lng: number, lat: number): { x: number; y: number } };
}

/** Street level on a stored position (no other unit shares its pixels), then where it is drawn on the page. */
async function zoomOnto(page: Page, lng: number, lat: number): Promise<{ x: number; y: number }> {
  await page.evaluate(
    ([x, y]) => (window as unknown as MapWindow).__pinganMap.jumpTo({ center: [x, y], zoom: 17 }),
    [lng, lat],
  );
  await mapSettled(page);
  return page.evaluate(
    ([x, y]) => (window as unknown as MapWindow).__pinganMapView.project(x!, y!),
    [lng, lat],
  );
}

/** How many units stand elsewhere in `b` than in `a` (same idx, moved more than ~1 m). */
function moved(a: Positions, b: Positions): number {
  const before = new Map(a.map(([i, x, y]) => [i, [x, y]]));
  let n = 0;
  for (const [i, x, y] of b) {
    const p = before.get(i!);
    if (p && (Math.abs(p[0]! - x!) > 1e-5 || Math.abs(p[1]! - y!) > 1e-5)) n++;
  }
  return n;
}

beforeAll(async () => {
  server = await startServerProcess({
    DEMO: '1',
    SIM_INCIDENTS_PER_HOUR: '0',
    DEMO_HISTORY_DAYS: '1',
    INGEST_TOKEN,
  });
  startedAt = Date.now();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('wall replay (回放)', () => {
  it(
    'starts from the header, is unmistakable, plays, seeks and returns to live',
    async () => {
      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      const watch = watchPage(page);
      try {
        await signIn(page, 'leader', '/wall');
        const live = '[data-testid="link-indicator"][data-status="live"]';
        await page.waitForSelector(live, { timeout: 90_000 });

        // From the header (briefing controls): the picker, 今日至今.
        await page.click('[data-testid="briefing-toggle"]');
        await page.click('[data-testid="replay-toggle"]');
        await page.click('[data-testid="replay-today"]');
        await page.waitForSelector('[data-testid="replay-banner"]');
        expect(await page.textContent('[data-testid="replay-banner"]')).toMatch(
          /回放.*\d{2}:\d{2}–\d{2}:\d{2}.*10×.*当前 \d{2}:\d{2}:\d{2}/,
        );
        expect(await page.getAttribute('[data-testid="link-indicator"]', 'data-status')).toBe('replay');
        expect(await page.textContent('[data-testid="link-indicator"]')).toContain('回放');
        expect(await page.isVisible('[data-testid="replay-frame"]')).toBe(true);
        // Amber, not the live cyan.
        const frameColor = await page.$eval(
          '[data-testid="replay-frame"]',
          (e) => getComputedStyle(e).borderTopColor,
        );
        expect(frameColor).toBe('rgb(255, 176, 32)');
        expect(new URL(page.url()).searchParams.get('replay')).toMatch(/^\d+,\d+$/);
        // The live panels give way to the period's, which say they are the period's.
        expect(await page.isVisible('[data-testid="col-left"]')).toBe(false);
        expect(await page.textContent('[data-testid="replay-figures"]')).toContain('不是实时数据');

        await page.click('[data-testid="replay-exit"]');
        await page.waitForSelector(live, { timeout: 30_000 });
        expect(await page.$('[data-testid="replay-banner"]')).toBeNull();
        expect(await page.$('[data-testid="replay-frame"]')).toBeNull();
        expect(await page.isVisible('[data-testid="col-left"]')).toBe(true);
        expect(new URL(page.url()).searchParams.get('replay')).toBeNull();

        // A recorded stretch of the live simulator, reopened by URL as a briefing link would.
        const wait = startedAt + RECORD_MS - Date.now();
        if (wait > 0) await page.waitForTimeout(wait);
        const from = startedAt + 2_000;
        const to = Date.now();
        await page.goto(`${server.url}/wall?replay=${from},${to}&at=${from}&speed=10`);
        await page.waitForSelector('[data-testid="replay-banner"]', { timeout: 60_000 });
        await page.waitForFunction(
          'window.__pinganMapView && window.__pinganMapView.vehiclePositions().length > 0',
          undefined,
          { timeout: 90_000 },
        );
        expect(await page.getAttribute('[data-testid="replay-play"]', 'data-playing')).toBe('false');
        const at0 = await replayAt(page);
        expect(Math.abs(at0 - from)).toBeLessThan(1_000);
        const before = await positions(page);

        await page.click('[data-testid="replay-play"]');
        // 10×: a few real seconds are half a minute of the period; units glide between keyframes.
        await page.waitForFunction(
          `Number(document.querySelector('[data-testid="replay-bar"]').dataset.at) > ${from + 15_000}`,
          undefined,
          { timeout: 30_000 },
        );
        const after = await positions(page);
        expect(moved(before, after)).toBeGreaterThan(0);
        expect(await layerIds(page)).toContain('incident-heat');
        // No alarms while replaying.
        expect(await page.$('[data-testid="alarm"]')).toBeNull();
        expect(await page.getAttribute('[data-testid="link-indicator"]', 'data-status')).toBe('replay');

        // Seek: pause, then a click at the middle of the timeline moves the clock there.
        await page.click('[data-testid="replay-play"]');
        const box = (await page.locator('[data-testid="replay-timeline"]').boundingBox())!;
        await page.mouse.click(box.x + box.width / 2, box.y + 10);
        await page.waitForTimeout(600);
        const mid = (from + to) / 2;
        expect(Math.abs((await replayAt(page)) - mid)).toBeLessThan((to - from) * 0.05);
        expect(await page.textContent('[data-testid="replay-clock"]')).toMatch(/^\d{2}:\d{2}:\d{2}$/);
        expect(new URL(page.url()).searchParams.get('at')).not.toBe(String(from));
        await page.waitForTimeout(1_500); // the map redraws the sought instant
        await screenshot(page, 'wall-replay-1920x1080');

        await page.click('[data-testid="replay-exit"]');
        await page.waitForSelector(live, { timeout: 30_000 });
        expect(await page.$('[data-testid="replay-bar"]')).toBeNull();
        expect(await layerIds(page)).not.toContain('incident-heat');
        expect(realErrors(watch.consoleErrors)).toEqual([]);
        expect(watch.externalRequests).toEqual([]);
      } catch (err) {
        await screenshot(page, 'wall-replay-failed');
        throw err;
      } finally {
        await page.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'shows a clicked unit and its case as they stood at the replay instant; live-only controls give way',
    async () => {
      const at = await spotsNear(0.012, -0.012);
      const car = { id: `RPL-CAR-${Date.now()}`, name: '回放测试车' };
      const report = (p: Spot, speed: number, status?: string) => reportCar(car, p, speed, status);
      // A: on patrol at 20 km/h. Reported twice: the first report registers the car.
      const A = at(0, 0);
      await report(A, 20, 'patrol');
      await sleep(2_000);
      await report(A, 20, 'patrol');
      const title = '回放测试：广场纠纷';
      const incidentId = `RPL-INC-${Date.now()}`;
      await ingestCase(incidentId, title, at(0, 900));
      const recordFrom = Date.now() - 45_000;
      await sleep(8_000);

      // B: sent to the case, driving at 50 km/h.
      const { act, assign } = await desk(incidentId);
      await assign(car.id);
      const B = at(300, 0);
      await report(B, 50);
      const sentAt = Date.now();
      // The replay instant: a keyframe instant (10 s grid at 1×) after B was stored and well before C.
      const instant = Math.ceil((sentAt + 1_500) / 10_000) * 10_000;
      await sleep(Math.max(0, instant + 3_000 - Date.now()));
      // C: on scene, stopped; then the case is resolved and the car patrols on at 10 km/h (D): how it is now.
      expect((await act('transition', { to: 'on_scene' })).status).toBe(200);
      await report(at(600, 0), 0);
      await sleep(2_000);
      expect((await act('transition', { to: 'resolved' })).status).toBe(200);
      const D = at(800, 0);
      await report(D, 10, 'patrol');
      await sleep(1_500);
      const leader = await login('leader');
      const liveCar = (await (
        await fetch(`${server.url}/api/vehicles/${car.id}`, { headers: { cookie: leader } })
      ).json()) as { speedKmh?: number };
      expect(liveCar.speedKmh).toBe(10); // the control: live, the car is elsewhere and slower
      const liveCase = (await (
        await fetch(`${server.url}/api/incidents/${incidentId}`, { headers: { cookie: leader } })
      ).json()) as { incident: { state: string } };
      expect(liveCase.incident.state).toBe('resolved');

      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      const watch = watchPage(page);
      try {
        await signIn(page, 'leader', '/wall');
        await page.waitForSelector('[data-testid="link-indicator"][data-status="live"]', { timeout: 90_000 });
        // Live: the period buttons are there.
        expect(await page.locator('[data-testid="periods"] button').count()).toBeGreaterThanOrEqual(4);
        await page.goto(`${server.url}/wall?replay=${recordFrom},${Date.now()}&at=${instant}&speed=1`);
        await page.waitForSelector('[data-testid="replay-banner"]', { timeout: 60_000 });
        expect(await replayAt(page)).toBe(instant);
        // The replay bar owns the period: no 今日/本周… buttons, a note instead; alarms are off and say so.
        await page.waitForSelector('[data-testid="periods-replay"]');
        expect(await page.locator('[data-testid="periods"] button').count()).toBe(0);
        expect(await page.textContent('[data-testid="periods-replay"]')).toContain('回放条');
        expect(await page.textContent('[data-testid="alarm-armed"]')).toContain('回放中不告警');
        expect(await page.getAttribute('[data-testid="alarm-armed"]', 'data-armed')).toBe('false');

        // Only the units' layer, so the click lands on the car (not on the case, a camera or an area).
        for (const layer of ['incidents', 'trails', 'cameras', 'grids'])
          await page.click(`[data-layer="${layer}"]`);
        await page.waitForFunction(
          'window.__pinganMapView && window.__pinganMapView.vehiclePositions().length > 0',
          undefined,
          { timeout: 90_000 },
        );
        const xy = await zoomOnto(page, B.lng, B.lat);
        await page.mouse.click(xy.x, xy.y);
        const drawer = page.locator('[data-testid="detail-drawer"][data-kind="vehicle"]');
        await drawer.waitFor({ timeout: 20_000 });
        expect(await drawer.getAttribute('data-replay')).toBe('true');
        await expect.poll(() => drawer.textContent(), { timeout: 15_000 }).toContain(car.name);
        // As of the instant, from the replayed frame: B at 50 km/h, sent to the case (live: D, 10 km/h, done).
        expect(await page.getAttribute('[data-testid="drawer-replay-at"]', 'data-at')).toBe(String(instant));
        expect(await page.textContent('[data-testid="drawer-replay-at"]')).toMatch(
          /回放时刻 \d{2}:\d{2}:\d{2}.*不是实时数据/,
        );
        expect(await page.textContent('[data-testid="drawer-speed"]')).toBe('50 km/h');
        const [shownLng, shownLat] = (await page.textContent('[data-testid="drawer-position"]'))!
          .split(',')
          .map(Number);
        expect(Math.abs(shownLng! - B.lng)).toBeLessThan(2e-5);
        expect(Math.abs(shownLat! - B.lat)).toBeLessThan(2e-5);
        const handling = page.locator('[data-testid="drawer-handling-incident"]');
        await expect.poll(() => handling.count(), { timeout: 15_000 }).toBe(1);
        expect(await handling.textContent()).toContain(title);
        expect(await handling.textContent()).toContain('已派遣');
        await page.waitForTimeout(1_000);
        await screenshot(page, 'wall-replay-drawer-1920x1080');

        // 轨迹 opens on the half hour around the instant, not on the last hour before now.
        await page.click('[data-testid="track-open"]');
        const track = page.locator('[data-testid="track-section"][data-state="ready"]');
        await track.waitFor({ timeout: 30_000 });
        const from = Number(await track.getAttribute('data-from'));
        const to = Number(await track.getAttribute('data-to'));
        expect(from).toBeLessThanOrEqual(instant - 29 * 60_000);
        expect(to).toBeGreaterThan(instant);
        expect(Number(await track.getAttribute('data-points'))).toBeGreaterThan(0);

        // The case it was handling, as it stood then: 已派遣 to this car, no 到场 or 办结 in its timeline yet.
        await handling.click();
        const caseDrawer = page.locator('[data-testid="detail-drawer"][data-kind="incident"]');
        await caseDrawer.waitFor({ timeout: 10_000 });
        expect(await caseDrawer.getAttribute('data-replay')).toBe('true');
        await page.waitForSelector('[data-testid="drawer-timeline"]', { timeout: 15_000 });
        expect(await page.textContent('[data-testid="drawer-state"]')).toBe('已派遣');
        expect(await page.textContent('[data-testid="drawer-assignee"]')).toContain(car.name);
        const steps = (await page.textContent('[data-testid="drawer-timeline"]'))!;
        expect(steps).toContain('派单');
        expect(steps).not.toContain('处置中');
        expect(steps).not.toContain('已办结');
        // 处置回放 as of the instant too: sent, not yet on scene or resolved (live, it holds both).
        await caseDrawer.locator('[data-testid="playback-open"]').click();
        await caseDrawer
          .locator('[data-testid="playback-section"][data-state="ready"]')
          .waitFor({ timeout: 30_000 });
        const playbackSteps = () =>
          caseDrawer
            .locator('[data-testid="playback-steps"] li')
            .evaluateAll((li) => li.map((e) => e.getAttribute('data-step')));
        await expect.poll(playbackSteps, { timeout: 15_000 }).toContain('dispatched');
        expect(await playbackSteps()).not.toContain('on_scene');
        expect(await playbackSteps()).not.toContain('resolved');
        await screenshot(page, 'wall-replay-case-1920x1080');
        await page.click('[data-testid="detail-drawer"] button');

        // The car found by the search box, in replay, is read from the replayed frame as the clicked one was.
        await page.fill('[data-testid="search-box"] input', car.id);
        await page.click(`[data-testid="search-results"] [data-kind="vehicle"][data-id="${car.id}"]`);
        await drawer.waitFor({ timeout: 20_000 });
        expect(await drawer.getAttribute('data-replay')).toBe('true');
        await expect
          .poll(() => drawer.locator('[data-testid="drawer-speed"]').count(), { timeout: 15_000 })
          .toBe(1);
        expect(await page.textContent('[data-testid="drawer-speed"]')).toBe('50 km/h');
        await expect.poll(() => handling.count(), { timeout: 15_000 }).toBe(1);
        await page.click('[data-testid="detail-drawer"] button');

        // Drill-down still works in replay, and keeps it: a town clicked on the map (only its areas drawn).
        for (const layer of ['vehicles', 'workers', 'grids']) await page.click(`[data-layer="${layer}"]`);
        const place = (
          (await (await fetch(`${server.url}/api/map/data/places.geojson`)).json()) as {
            features: { properties: { kind: string }; geometry: { coordinates: [number, number] } }[];
          }
        ).features.find((f) => f.properties.kind === 'town')!;
        await page.evaluate(
          (c) => (window as unknown as MapWindow).__pinganMap.jumpTo({ center: c, zoom: 12 }),
          place.geometry.coordinates,
        );
        await mapSettled(page);
        const townXy = await page.evaluate(
          (c) => (window as unknown as MapWindow).__pinganMap.project(c),
          place.geometry.coordinates,
        );
        await page.mouse.click(townXy.x, townXy.y);
        await page.waitForURL((u) => /^\/wall\/\d{12}$/.test(u.pathname), { timeout: 15_000 });
        await page.waitForFunction(
          () => new URL(location.href).searchParams.get('replay') !== null,
          undefined,
          { timeout: 10_000 },
        );
        expect(await page.isVisible('[data-testid="replay-banner"]')).toBe(true);
        expect(await page.locator('[data-testid="periods"] button').count()).toBe(0);
        expect(await page.getAttribute('[data-testid="link-indicator"]', 'data-status')).toBe('replay');

        await page.click('[data-testid="replay-exit"]');
        await page.waitForSelector('[data-testid="link-indicator"][data-status="live"]', { timeout: 30_000 });
        expect(await page.locator('[data-testid="periods"] button').count()).toBeGreaterThanOrEqual(4);
        expect(realErrors(watch.consoleErrors)).toEqual([]);
        expect(watch.externalRequests).toEqual([]);
      } catch (err) {
        await screenshot(page, 'wall-replay-drawer-failed');
        throw err;
      } finally {
        await page.close();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "names who held a case that changed hands: car 甲 before its 退单, nobody after it (甲's 到场 kept), then car 乙",
    async () => {
      const spot = await spotsNear(-0.012, 0.012);
      const stamp = Date.now();
      const carA = { id: `RPL-A-${stamp}`, name: '回放甲车' };
      const carB = { id: `RPL-B-${stamp}`, name: '回放乙车' };
      // Reported twice: the first report registers a car.
      for (let k = 0; k < 2; k++) {
        await reportCar(carA, spot(0, 0), 20, 'patrol');
        await reportCar(carB, spot(-400, 0), 20, 'patrol');
        if (k === 0) await sleep(2_000);
      }
      const incidentId = `RPL-HANDOVER-${stamp}`;
      const title = `换手测试：商铺噪音${stamp % 10_000}`;
      await ingestCase(incidentId, title, spot(0, 600));
      const caseAt = Date.now();
      // Each step a few seconds after the last, so an instant between two is easy to land on by a click.
      const GAP_MS = 5_000;
      const { act, assign } = await desk(incidentId);
      await assign(carA.id);
      await reportCar(carA, spot(0, 300), 40);
      await sleep(GAP_MS);
      expect((await act('transition', { to: 'on_scene' })).status).toBe(200);
      const arrivedA = Date.now();
      await reportCar(carA, spot(0, 600), 0);
      await sleep(GAP_MS);
      const returned = await act('transition', { to: 'returned', note: '非本辖区，退回中心' });
      expect(returned.status).toBe(200);
      const returnedA = Date.now();
      await sleep(GAP_MS);
      await assign(carB.id);
      const sentB = Date.now();
      await reportCar(carB, spot(-200, 300), 40);
      await sleep(GAP_MS);
      const leader = await login('leader');
      const timeline = (
        await fetchJson(`${server.url}/api/incidents/${incidentId}`, { headers: { cookie: leader } })
      ).body as { timeline: { at: number; toState: string | null }[] };
      const returnedAt = timeline.timeline.find((e) => e.toState === 'returned')!.at;

      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      const watch = watchPage(page);
      try {
        await signIn(page, 'leader', '/wall');
        await page.waitForSelector('[data-testid="link-indicator"][data-status="live"]', { timeout: 90_000 });
        const to = Date.now();
        // From a little before the case; a period is at least REPLAY_MIN_SPAN_MS (a minute) long.
        const from = Math.min(caseAt - 5_000, to - 90_000);
        // Car 甲 on scene, before its 退单.
        const before = arrivedA + GAP_MS / 2;
        await page.goto(`${server.url}/wall?replay=${from},${to}&at=${before}&speed=1`);
        await page.waitForSelector('[data-testid="replay-banner"]', { timeout: 60_000 });
        expect(await replayAt(page)).toBe(before);

        // The case's drawer, opened by the header's search (by its title).
        await page.fill('[data-testid="search-box"] input', title);
        const hit = page.locator(`[data-testid="search-results"] [data-id="${incidentId}"]`);
        await hit.waitFor({ timeout: 15_000 });
        await hit.click();
        const drawer = page.locator('[data-testid="detail-drawer"][data-kind="incident"]');
        await drawer.waitFor({ timeout: 10_000 });
        expect(await drawer.getAttribute('data-replay')).toBe('true');
        const text = (id: string) => drawer.locator(`[data-testid="${id}"]`).textContent();
        await expect.poll(() => text('drawer-assignee'), { timeout: 15_000 }).toContain(carA.name);
        expect(await text('drawer-state')).toBe('处置中');
        await drawer.locator('[data-testid="playback-open"]').click();
        await drawer
          .locator('[data-testid="playback-section"][data-state="ready"]')
          .waitFor({ timeout: 30_000 });
        const steps = () =>
          drawer
            .locator('[data-testid="playback-steps"] li')
            .evaluateAll((li) => li.map((e) => `${e.getAttribute('data-step')} ${e.textContent}`));
        // 受理 or not is the intake's business (a 110 case may be sent straight from 上报): left out.
        const kinds = (list: string[]) => list.map((s) => s.split(' ')[0]).filter((k) => k !== 'accepted');
        const row = (list: string[], kind: string) => list.find((s) => s.startsWith(`${kind} `)) ?? '';
        await expect.poll(() => text('playback-unit'), { timeout: 15_000 }).toContain(carA.name);
        expect(kinds(await steps())).toEqual(['reported', 'dispatched', 'on_scene']);

        /** Seeks by a click on the timeline, as a leader would, and waits for the drawer to follow. */
        const seekBetween = async (a: number, b: number) => {
          const box = (await page.locator('[data-testid="replay-timeline"]').boundingBox())!;
          const f = ((a + b) / 2 - from) / (to - from);
          await page.mouse.click(box.x + f * box.width, box.y + 10);
          await expect.poll(() => replayAt(page), { timeout: 5_000 }).toBeGreaterThan(a);
          const at = await replayAt(page);
          expect(at).toBeLessThan(b);
          await expect
            .poll(() => drawer.locator('[data-testid="drawer-replay-at"]').getAttribute('data-at'))
            .toBe(String(at));
        };

        // After the 退单, before 乙 was sent: nobody holds it, since the 退单 at its time; 甲's steps stay.
        await seekBetween(returnedA, returnedA + GAP_MS);
        const waiting = `退单后待重新派单 (${formatTime(returnedAt, 'Asia/Shanghai', true)})`;
        await expect.poll(() => text('drawer-assignee'), { timeout: 15_000 }).toBe(waiting);
        expect(await text('drawer-state')).toBe('退单');
        const caseSteps = (await text('drawer-timeline'))!;
        expect(caseSteps).toMatch(new RegExp(`派单 → [^·]*${carA.name}`));
        expect(caseSteps).toContain('处置中');
        expect(caseSteps).toContain('退单');
        expect(caseSteps).not.toContain(carB.name);
        await expect.poll(() => text('playback-unit'), { timeout: 15_000 }).toBe(waiting);
        const afterReturn = await steps();
        expect(kinds(afterReturn)).toEqual(['reported', 'dispatched', 'on_scene', 'returned']);
        expect(row(afterReturn, 'dispatched')).toContain(carA.name);
        expect(row(afterReturn, 'on_scene')).toContain('到场');
        expect(row(afterReturn, 'on_scene')).toContain(carA.name);
        expect(row(afterReturn, 'returned')).toContain('退单');
        // Legible at 5 m: no text in the drawer under 16 px.
        const tooSmall = await drawer.evaluate((el) =>
          [...el.querySelectorAll('*')]
            .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent!.trim()))
            .map((e) => `${parseFloat(getComputedStyle(e).fontSize)}px ${e.textContent!.trim().slice(0, 24)}`)
            .filter((s) => parseFloat(s) < 16),
        );
        expect(tooSmall).toEqual([]);
        await page.waitForTimeout(1_000);
        await screenshot(page, 'wall-replay-handover-1920x1080');

        // After 乙 was sent: 乙 holds it, sent, not yet on scene; 甲's arrival is not 乙's.
        await seekBetween(sentB, to);
        await expect.poll(() => text('drawer-assignee'), { timeout: 15_000 }).toContain(carB.name);
        expect(await text('drawer-state')).toBe('已派遣');
        await expect.poll(() => text('playback-unit'), { timeout: 15_000 }).toContain(carB.name);
        const afterHandover = await steps();
        expect(kinds(afterHandover)).toEqual(['reported', 'dispatched']);
        expect(row(afterHandover, 'dispatched')).toContain(carB.name);
        expect(realErrors(watch.consoleErrors)).toEqual([]);
        expect(watch.externalRequests).toEqual([]);
      } catch (err) {
        await screenshot(page, 'wall-replay-handover-failed');
        throw err;
      } finally {
        await page.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
