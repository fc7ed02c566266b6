import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';
import { COMM_A1, COMM_A2, TOWN_A, goodTerritory } from '../integration/import-fixtures';

/**
 * Going live as the README says, in a browser: a production start on an empty database (no DEMO), the first
 * admin made with `npm run user`, a sign-in, the centre's own territory imported on the admin page, and the
 * wall then showing its towns and drilling into one.
 */
const SECRET = 'go-live-browser-test-session-secret-0123456789';
const AUDIT_KEY = 'go-live-browser-test-audit-key-0123456789abc';
const PASSWORD = 'chief-password-2026';
const ROOT = path.resolve(import.meta.dirname, '../..');

let server: ServerProcess;
let browser: Browser;
let page: Page;
let watch: ReturnType<typeof watchPage>;

/** Every label on the region-ranking chart (read back from its live instance). */
async function rankingLabels(p: Page): Promise<string[]> {
  return p.evaluate(() => {
    const el = document.querySelector('[data-chart="chart-ranking"]') as HTMLElement | null;
    const inst = el && window.__pinganEcharts?.getInstanceByDom(el);
    if (!inst) return [];
    const o = inst.getOption() as { yAxis?: { data?: string[] }[] };
    return (o.yAxis ?? []).flatMap((a) => (a.data ?? []).filter((d) => d !== ''));
  });
}

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-golive-'));
  const dbPath = path.join(dir, 'pingan.db');
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/user.ts', 'create', 'chief', 'admin'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_PATH: dbPath, PINGAN_PASSWORD: PASSWORD, AUDIT_KEY },
    stdio: 'pipe',
  });
  server = await startServerProcess({ DATABASE_PATH: dbPath, SESSION_SECRET: SECRET, AUDIT_KEY });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  watch = watchPage(page);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('going live', () => {
  it('signs the first admin in, imports the territory on the admin page, and the wall shows its towns', async () => {
    await page.goto(`${server.url}/login`);
    await page.fill('input[name="username"]', 'chief');
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([
      page.waitForURL((u) => u.pathname.startsWith('/admin')),
      page.click('button[type="submit"]'),
    ]);

    await page.goto(`${server.url}/admin/imports`);
    await page.selectOption('select[name="kind"]', 'territory');
    await page.setInputFiles('input[name="file"]', {
      name: '示范区.geojson',
      mimeType: 'application/geo+json',
      buffer: Buffer.from(JSON.stringify(goodTerritory())),
    });
    await page.click('[data-testid="import-dry-run"]');
    await page.locator('[data-testid="import-result"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid="import-errors"]').count()).toBe(0);
    await page.click('[data-testid="import-run"]');
    await expect
      .poll(() => page.locator('[data-testid="import-runs"] tbody tr').count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await screenshot(page, 'go-live-import');

    await page.goto(`${server.url}/wall`);
    await page.waitForSelector('[data-testid="link-indicator"][data-status="live"]', { timeout: 90_000 });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="wall-title"]')?.textContent?.includes('示范区'),
      undefined,
      { timeout: 30_000 },
    );
    await expect
      .poll(() => rankingLabels(page), { timeout: 60_000 })
      .toEqual(expect.arrayContaining(['北山街道', '西溪街道']));
    await page.waitForTimeout(2_000); // the map's fit to the imported territory
    await screenshot(page, 'go-live-wall');
  });

  it('drills into an imported town: its communities on the panels, a breadcrumb back', async () => {
    await page.goto(`${server.url}/wall/${TOWN_A}`);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="wall-title"]')?.textContent?.includes('北山街道'),
      undefined,
      { timeout: 60_000 },
    );
    await expect
      .poll(() => rankingLabels(page), { timeout: 60_000 })
      .toEqual(expect.arrayContaining(['曙光社区', '湖畔社区']));
    const stats = (await page.evaluate(
      (code) => fetch(`/api/wall/stats?region=${code}`).then((r) => r.json()),
      TOWN_A,
    )) as { ranking: { code: string }[] };
    expect(stats.ranking.map((r) => r.code)).toEqual(expect.arrayContaining([COMM_A1, COMM_A2]));
    await expect.poll(() => page.locator('[data-testid="breadcrumb"] a').count()).toBeGreaterThanOrEqual(1);
    await page.waitForTimeout(2_000);
    await screenshot(page, 'go-live-town');
    await page.locator('[data-testid="breadcrumb"] a').first().click();
    await page.waitForURL((u) => u.pathname === '/wall');
    expect(watch.consoleErrors.filter((e) => !/GL Driver Message|GPU stall/.test(e))).toEqual([]);
    expect(watch.externalRequests).toEqual([]);
  });
});
