import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * 时限 per category on the admin page of the built product (demo mode): the admin types an override for
 * 消防安全, is told inline what is wrong first (not a number; a limit that clashes with a priority), saves a
 * valid one, and after a reload the page shows the saved minutes back; the console's limits carry it.
 */
const PASSWORD = 'pingan-demo';
const MIN = 60_000;

let server: ServerProcess;
let browser: Browser;
let page: Page;

const cell = (m: 'accept' | 'onScene' | 'resolve') =>
  page.locator(`[data-testid="time-limits-form"] input[name="cat.fire_safety.${m}"]`);

beforeAll(async () => {
  server = await startServerProcess({ DEMO: '1', SIM_INCIDENTS_PER_HOUR: '0', DEMO_HISTORY_DAYS: '1' });
  browser = await launchBrowser();
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 1400 } });
  page = await ctx.newPage();
  watchPage(page);
  await page.goto(`${server.url}/login?next=${encodeURIComponent('/admin/time-limits')}`);
  await page.fill('input[name="username"]', 'admin');
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/admin/time-limits'),
    page.click('button[type="submit"]'),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('time limits per category (admin page)', () => {
  it('saves an override for 消防安全 after inline errors, and shows it back after a reload', async () => {
    const row = page.locator('[data-testid="category-row-fire_safety"]');
    await row.waitFor();
    expect(await row.locator('td').first().textContent()).toBe('消防安全');
    expect(await cell('accept').getAttribute('placeholder')).toBe('按优先级');

    await cell('accept').fill('abc');
    await page.click('[data-testid="time-limits-save"]');
    await row.locator('[role="alert"]').waitFor();
    expect(await row.locator('[role="alert"]').textContent()).toContain('须为正的分钟数');

    // Resolve in an hour alone clashes with 一般, due on scene after two hours.
    await cell('accept').fill('');
    await cell('resolve').fill('60');
    await page.click('[data-testid="time-limits-save"]');
    const rowError = page.locator('[data-testid="category-error-fire_safety"]');
    await expect.poll(() => rowError.textContent()).toContain('消防安全');
    await screenshot(page, 'admin-time-limits-category-error');

    await cell('accept').fill('3');
    await cell('onScene').fill('20');
    await page.click('[data-testid="time-limits-save"]');
    await page.locator('[role="status"]').waitFor();
    expect(await rowError.textContent()).toBe('');

    await page.reload();
    await row.waitFor();
    await expect.poll(() => cell('accept').inputValue()).toBe('3');
    expect(await cell('onScene').inputValue()).toBe('20');
    expect(await cell('resolve').inputValue()).toBe('60');
    expect(await row.textContent()).toContain('= 1 小时');
    // Other categories still follow their priority.
    expect(
      await page.locator('[data-testid="time-limits-form"] input[name="cat.dispute.accept"]').inputValue(),
    ).toBe('');
    await screenshot(page, 'admin-time-limits-category');

    const limits = await page.evaluate(() => fetch('/api/time-limits').then((r) => r.json()));
    expect(limits.byCategory).toEqual({
      fire_safety: { accept: 3 * MIN, onScene: 20 * MIN, resolve: 60 * MIN },
    });
    const world = await page.evaluate(() => fetch('/api/map/world.json').then((r) => r.json()));
    expect(world.timeLimits.byCategory.fire_safety.accept).toBe(3 * MIN);
  });
});
