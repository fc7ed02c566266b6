import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDateTime } from '@/lib/time/display-time';
import { ARTIFACTS_DIR, launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * One incident, three pages, one story: the wall's drawer and the console name the unit and the people
 * (never `veh-…` / `dept-…` / `dispatcher` / `ingest:…`), show the same time for the incident, and the audit
 * page shows the assignment as 派单 in the same zone. The browsers run in New York time on purpose: every
 * page must show the display zone (Beijing), never the browser's own.
 */
const INGEST_TOKEN = 'browser-test-ingest-token-names-time-0123';
const PASSWORD = 'pingan-demo';
const SPOT = { lng: 120.1551, lat: 30.2741 };
const BROWSER_TZ = 'America/New_York';
const DISPLAY_TZ = 'Asia/Shanghai';
/** What an id looks like in this product: a name must never look like this. */
const ID_PATTERN = /\b(veh|dept|wkr)-[\w-]+|ingest:|\bdispatcher\b/;

let server: ServerProcess;
/** The incident the first test works, reopened in English by the second. */
let incidentId = '';
let browser: Browser;
const contexts: BrowserContext[] = [];

async function signIn(page: Page, username: string, next: string) {
  await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === next), page.click('button[type="submit"]')]);
}

async function newPage(width: number, height: number, lang?: 'en') {
  const ctx = await browser.newContext({ viewport: { width, height }, timezoneId: BROWSER_TZ });
  if (lang) await ctx.addInitScript(`localStorage.setItem('pingan.lang', '${lang}')`);
  contexts.push(ctx);
  const page = await ctx.newPage();
  return { page, watch: watchPage(page) };
}

/** A screenshot of one part of the page (the drawer, the console's panel), to look at closely. */
async function shoot(part: Locator, name: string) {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  await part.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`) });
}

async function ingest(kind: 'vehicles' | 'incidents', body: unknown) {
  const r = await fetch(`${server.url}/api/ingest/${kind}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(r.status).toBe(202);
}

async function openOnWall(page: Page, id: string) {
  const row = page.locator(`[data-testid="incident-feed"] [data-incident-id="${id}"]`).first();
  const drawer = page.locator(`[data-testid="detail-drawer"][data-kind="incident"]`);
  // The feed pages every 8 s (held while the pointer is on it); a click that raced a page turn hit no row,
  // so it is given again rather than waited out.
  for (let attempt = 1; ; attempt++) {
    await row.click({ timeout: 30_000 });
    const isOpen = await drawer
      .waitFor({ timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    if (isOpen) break;
    if (attempt === 3) throw new Error(`the drawer of ${id} did not open after ${attempt} clicks on its row`);
  }
  // The assignee row appears once the incident's details have arrived.
  await drawer.locator('[data-testid="drawer-assignee"]').waitFor({ timeout: 15_000 });
  return drawer;
}

beforeAll(async () => {
  server = await startServerProcess({ DEMO: '1', INGEST_TOKEN, SIM_INCIDENTS_PER_HOUR: '0' });
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.stop();
});

describe('names and one clock', () => {
  it('the wall drawer, the console and the audit page name the unit and agree on the time', async () => {
    const id = `names-${Date.now()}`;
    incidentId = id;
    await ingest('incidents', {
      id,
      category: 'public_security',
      title: '名称与时间测试：路口有人员聚集',
      lng: SPOT.lng,
      lat: SPOT.lat,
      priority: 2,
      source: 'police_110',
      reportedAt: Date.now(),
    });
    // A unit right at the spot, reported just now, so a live recommendation exists whatever the demo holds.
    await ingest('vehicles', {
      id: 'names-car',
      lng: SPOT.lng + 0.002,
      lat: SPOT.lat,
      status: 'patrol',
      ts: Date.now(),
      name: '测试巡逻车09',
    });

    // Console: assign the recommended vehicle.
    const { page: consolePage, watch } = await newPage(1600, 1000);
    await signIn(consolePage, 'dispatcher', '/dispatch');
    await consolePage.locator(`[data-testid="queue-item-${id}"]`).click({ timeout: 30_000 });
    const panel = consolePage.locator('[data-testid="incident-detail"]');
    await panel.waitFor();
    const assign = consolePage.locator('[data-testid^="assign-vehicle-"]').first();
    await assign.waitFor({ timeout: 15_000 });
    const vehicleId = (await assign.getAttribute('data-testid'))!.replace('assign-vehicle-', '');
    await assign.click();
    await consolePage
      .locator('[data-testid="incident-detail"][data-state="dispatched"]')
      .waitFor({ timeout: 10_000 });
    const api = (await (await consolePage.request.get(`${server.url}/api/incidents/${id}`)).json()) as {
      incident: { receivedAt: number; assigneeId: string; assigneeName: string };
    };
    expect(api.incident.assigneeId).toBe(vehicleId);
    const unitName = api.incident.assigneeName;
    expect(unitName).toBeTruthy();
    expect(unitName).not.toMatch(ID_PATTERN);
    expect(unitName).not.toContain(vehicleId);

    const assignee = panel.locator('[data-testid="incident-assignee"]');
    await expect.poll(() => assignee.textContent()).toBe(unitName);
    // The id is still there for an operator, beside the name.
    expect(await panel.locator('[data-testid="incident-assignee-id"]').textContent()).toBe(vehicleId);
    const consoleTimeline = (await panel.locator('[data-testid="timeline"]').textContent())!;
    expect(consoleTimeline).toContain('110警情接入');
    expect(consoleTimeline).toContain('调度员');
    expect(consoleTimeline).toContain(`派单 → ${unitName}`);
    expect(consoleTimeline).not.toMatch(ID_PATTERN);
    const consoleTime = await panel.locator('[data-testid="incident-received-at"]').textContent();
    // Beijing time, though this browser runs in New York.
    expect(consoleTime).toBe(formatDateTime(api.incident.receivedAt, DISPLAY_TZ));
    await shoot(panel, 'names-time-console');

    // Wall: the same incident in the drawer, as a duty officer sees it.
    const { page: wall, watch: wallWatch } = await newPage(1920, 1080);
    await signIn(wall, 'duty', '/wall');
    const drawer = await openOnWall(wall, id);
    await expect.poll(() => drawer.locator('[data-testid="drawer-assignee"]').textContent()).toBe(unitName);
    expect(await drawer.locator('[data-testid="drawer-received-at"]').textContent()).toBe(consoleTime);
    const wallTimeline = (await drawer.locator('[data-testid="drawer-timeline"]').textContent())!;
    expect(wallTimeline).toContain(`派单 → ${unitName}`);
    expect(wallTimeline).toContain('110警情接入');
    expect(await drawer.textContent()).not.toMatch(ID_PATTERN);
    await shoot(drawer, 'names-time-wall');

    // A vehicle of the demo world, opened from the wall's search: its department by name, not `dept-…`.
    const found = (await (
      await wall.request.get(`${server.url}/api/search?q=${encodeURIComponent('派出所')}`)
    ).json()) as {
      results: { kind: string; id: string; name: string }[];
    };
    const car = found.results.find((r) => r.kind === 'vehicle');
    expect(car).toBeDefined();
    const carApi = (await (await wall.request.get(`${server.url}/api/vehicles/${car!.id}`)).json()) as {
      label: string;
      departmentName: string;
    };
    expect(carApi.departmentName).not.toMatch(ID_PATTERN);
    await wall.locator('[data-testid="search-box"] input').fill(car!.id);
    await wall.locator(`[data-testid="search-results"] [data-kind="vehicle"][data-id="${car!.id}"]`).click();
    const carDrawer = wall.locator('[data-testid="detail-drawer"][data-kind="vehicle"]');
    await expect
      .poll(() => carDrawer.locator('[data-testid="drawer-department"]').textContent(), { timeout: 15_000 })
      .toBe(carApi.departmentName);
    expect(await carDrawer.locator('[data-testid="drawer-title"]').textContent()).toBe(carApi.label);
    // The id stays, secondary, for an operator who must quote it.
    expect(await carDrawer.locator('[data-testid="drawer-id"]').textContent()).toContain(car!.id);
    await shoot(carDrawer, 'names-time-wall-vehicle');

    // Audit page: the assignment as 派单, by name, in the same zone, the zone named in the header.
    const { page: audit } = await newPage(1600, 1000);
    await signIn(audit, 'admin', '/admin/audit');
    const row = audit.locator(
      `[data-testid="audit-row"][data-action="incident.assign"][data-object-id="${id}"]`,
    );
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('[data-testid="audit-action"]').textContent()).toBe('派单');
    expect(await row.locator('[data-testid="audit-actor"]').textContent()).toBe('调度员');
    expect(await row.locator('[data-testid="audit-result"]').textContent()).toBe('成功');
    expect(await audit.locator('[data-testid="audit-time-header"]').textContent()).toBe(
      '时间 (北京时间 UTC+8)',
    );
    const logged = (await (
      await audit.request.get(`${server.url}/api/audit?action=incident.assign&objectId=${id}`)
    ).json()) as { rows: { at: number }[] };
    expect(await row.locator('[data-testid="audit-time"]').textContent()).toBe(
      formatDateTime(logged.rows[0]!.at, DISPLAY_TZ),
    );
    // Before/after as a table: the state and the unit changed, the unit by name.
    const changed = await row.locator('[data-testid="audit-diff"] tr[data-changed="true"]').allTextContents();
    expect(changed.some((t) => t.includes('状态') && t.includes('已派遣'))).toBe(true);
    expect(changed.some((t) => t.includes(unitName))).toBe(true);
    await screenshot(audit, 'names-time-audit');

    // English reaches the audit page's words, the zone stays the same.
    await audit.locator('[data-testid="lang-toggle"]').click();
    await expect.poll(() => row.locator('[data-testid="audit-action"]').textContent()).toBe('Assign');
    expect(await audit.locator('[data-testid="audit-time-header"]').textContent()).toBe(
      'Time (Beijing time UTC+8)',
    );

    expect(watch.externalRequests).toEqual([]);
    expect(wallWatch.externalRequests).toEqual([]);
  });

  it('in English the drawer and the console are translated and their titles are not cut', async () => {
    const { page: wall } = await newPage(1920, 1080, 'en');
    await signIn(wall, 'duty', '/wall');
    const id = incidentId;
    expect(id).not.toBe('');
    const drawer = await openOnWall(wall, id);
    const text = (await drawer.textContent())!;
    expect(text).toMatch(/Assigned to|Received at/);
    // Machine actors in the page's language; a unit keeps its (Chinese) name: names are data.
    expect(await drawer.locator('[data-testid="drawer-timeline"]').textContent()).toContain(
      '110 police intake',
    );
    const title = drawer.locator('[data-testid="drawer-title"]');
    const fits = await title.evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
    expect(fits).toBe(true);
    await shoot(drawer, 'names-time-wall-en');

    const { page: consolePage } = await newPage(1600, 1000, 'en');
    await signIn(consolePage, 'dispatcher', '/dispatch');
    await consolePage.locator(`[data-testid="queue-item-${id}"]`).click({ timeout: 30_000 });
    const panel = consolePage.locator('[data-testid="incident-detail"]');
    await panel.waitFor();
    expect(await panel.textContent()).toMatch(/Assigned to|Not assigned/);
    expect(await panel.textContent()).toContain('Timeline');
    expect(await panel.locator('[data-testid="timeline"]').textContent()).toContain('110 police intake');
    const fitsConsole = await panel
      .locator('[data-testid="incident-title"]')
      .evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
    expect(fitsConsole).toBe(true);
    await shoot(panel, 'names-time-console-en');
  });
});
