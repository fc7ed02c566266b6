import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * The admin console in the built product (demo mode): the admin signs in, creates a user (inline errors
 * first), creates a display token and opens the wall with its link in a browser that has no account,
 * changes a time limit, and previews an import. Every page is screenshot for a look.
 */
const PASSWORD = 'pingan-demo';

let server: ServerProcess;
let browser: Browser;
let page: Page;
let watch: ReturnType<typeof watchPage>;

async function go(path: string, shot: string, ready = 'h1') {
  await page.goto(`${server.url}${path}`);
  await page.locator(ready).first().waitFor();
  await page.waitForLoadState('networkidle');
  await screenshot(page, shot);
}

beforeAll(async () => {
  server = await startServerProcess({ DEMO: '1', SIM_INCIDENTS_PER_HOUR: '0', DEMO_HISTORY_DAYS: '1' });
  browser = await launchBrowser();
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await ctx.newPage();
  watch = watchPage(page);
  await page.goto(`${server.url}/login?next=${encodeURIComponent('/admin/users')}`);
  await page.fill('input[name="username"]', 'admin');
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/admin/users'),
    page.click('button[type="submit"]'),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('admin console', () => {
  it('creates a user, showing inline errors in Chinese first', async () => {
    await page.locator('[data-testid="user-row"][data-username="admin"]').waitFor();
    await screenshot(page, 'admin-users');
    await page.click('[data-testid="new-user"]');
    await page.fill('[data-testid="user-form"] input[name="username"]', 'a');
    await page.fill('[data-testid="user-form"] input[name="regionCode"]', '3301');
    await page.click('[data-testid="user-save"]');
    const alerts = page.locator('[data-testid="user-form"] [role="alert"]');
    await alerts.first().waitFor();
    const text = (await alerts.allTextContents()).join(' ');
    expect(text).toContain('用户名为 2–32 位');
    expect(text).toContain('请选择角色');
    expect(text).toContain('区域代码为 12 位或 15 位数字');
    expect(text).toContain('密码至少 10 位');
    await screenshot(page, 'admin-users-errors');

    await page.fill('[data-testid="user-form"] input[name="username"]', 'night-desk');
    await page.fill('[data-testid="user-form"] input[name="displayName"]', '夜班调度');
    await page.selectOption('[data-testid="user-form"] select[name="role"]', 'dispatcher');
    await page.fill('[data-testid="user-form"] input[name="regionCode"]', '');
    await page.fill('[data-testid="user-form"] input[name="password"]', 'night-desk-pass');
    await page.click('[data-testid="user-save"]');
    const row = page.locator('[data-testid="user-row"][data-username="night-desk"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('调度员');
    await screenshot(page, 'admin-users-created');
  });

  it('creates a display token whose link opens the wall without an account, and shows its last use', async () => {
    await go('/admin/tokens', 'admin-tokens-empty');
    await page.click('[data-testid="new-token"]');
    await page.fill('[data-testid="token-form"] input[name="name"]', '指挥大厅主屏');
    await page.click('[data-testid="token-save"]');
    const link = (await page.locator('[data-testid="token-link"]').textContent())!;
    expect(link).toMatch(/\/wall\?token=pdt_/);
    await screenshot(page, 'admin-tokens-created');

    const screen = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const wall = await screen.newPage();
    await wall.goto(link);
    await wall.locator('[data-testid="wall-title"]').waitFor({ timeout: 60_000 });
    expect(new URL(wall.url()).pathname).toBe('/wall');
    // The screen authenticates with the token (its socket and reads): the server records the use.
    await page.waitForFunction(
      async (name) => {
        const r = await fetch('/api/display-tokens');
        const { tokens } = (await r.json()) as { tokens: { name: string; lastUsedAt: number | null }[] };
        return tokens.some((t) => t.name === name && t.lastUsedAt !== null);
      },
      '指挥大厅主屏',
      { timeout: 60_000, polling: 500 },
    );
    await screenshot(wall, 'admin-token-wall');
    await screen.close();

    await go('/admin/tokens', 'admin-tokens');
    const lastUsed = page.locator(
      '[data-testid="token-row"][data-name="指挥大厅主屏"] [data-testid="token-last-used"]',
    );
    expect(await lastUsed.textContent()).toMatch(/\d{2}:\d{2}/);
  });

  it('changes a time limit, refusing a bad one inline', async () => {
    await go('/admin/time-limits', 'admin-time-limits');
    const accept = page.locator('[data-testid="time-limits-form"] input[name="1.accept"]');
    await accept.fill('abc');
    await page.click('[data-testid="time-limits-save"]');
    await page.locator('[data-testid="limits-row-1"] [role="alert"]').waitFor();
    await screenshot(page, 'admin-time-limits-error');
    await accept.fill('5');
    await page.click('[data-testid="time-limits-save"]');
    await page.locator('[role="status"]').waitFor();
    const limits = await page.evaluate(() => fetch('/api/time-limits').then((r) => r.json()));
    expect(limits.byPriority['1'].accept).toBe(5 * 60_000);
    const world = await page.evaluate(() => fetch('/api/map/world.json').then((r) => r.json()));
    expect(world.timeLimits.byPriority['1'].accept).toBe(5 * 60_000);
  });

  it('previews an import (dry run) of a small GeoJSON made here', async () => {
    await go('/admin/imports', 'admin-imports');
    const ring = [
      [120.1, 30.2],
      [120.11, 30.2],
      [120.11, 30.21],
      [120.1, 30.21],
      [120.1, 30.2],
    ];
    const geojson = {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          properties: { code: '330102001001901', name: '测试网格一', level: 'grid' },
          geometry: { type: 'Polygon', coordinates: [ring] },
        },
        {
          type: 'Feature',
          properties: { name: '缺少编码' },
          geometry: { type: 'Polygon', coordinates: [ring] },
        },
      ],
    };
    await page.selectOption('select[name="kind"]', 'territory');
    await page.setInputFiles('input[name="file"]', {
      name: '测试辖区.geojson',
      mimeType: 'application/geo+json',
      buffer: Buffer.from(JSON.stringify(geojson)),
    });
    await page.click('[data-testid="import-dry-run"]');
    const result = page.locator('[data-testid="import-result"]');
    await result.waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid="import-created"]').count()).toBe(1);
    // The feature without a code is an error with its place; nothing may be imported while there is one.
    expect(await page.locator('[data-testid="import-errors"] tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="import-run"]').isDisabled()).toBe(true);
    await screenshot(page, 'admin-imports-dry-run');
  });

  it('shows departments, devices and the audit log in the console frame', async () => {
    await go('/admin/departments', 'admin-departments');
    expect(await page.locator('[data-testid="department-row"]').count()).toBeGreaterThan(0);
    await go('/admin/devices', 'admin-devices');
    await go('/admin/audit', 'admin-audit', '[data-testid="verify"]');
    expect(await page.locator('[data-testid="nav-audit"]').getAttribute('class')).toMatch(/navActive/);
    expect(watch.externalRequests).toEqual([]);
    expect(watch.consoleErrors.filter((e) => !e.includes('the server responded with a status of 4'))).toEqual(
      [],
    );
  });

  it('switches to English and back, remembered for every page', async () => {
    await go('/admin/users', 'admin-users-zh-before-toggle');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    expect(await page.locator('[data-testid="nav-timeLimits"]').textContent()).toBe('Time limits');
    await screenshot(page, 'admin-users-en');
    await go('/admin/time-limits', 'admin-time-limits-en');
    expect(await page.locator('h1').textContent()).toBe('Time limits');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '时限设置' }).waitFor();
  });
});
