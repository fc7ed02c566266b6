import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * Issue 17 on the built wall: in briefing mode a leader opens 简报, generates today's briefing, sees it in
 * the list and downloads it (a real PDF, through the display-token-safe fetch path).
 */
let server: ServerProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  server = await startServerProcess({
    DEMO: '1',
    SIM_INCIDENTS_PER_HOUR: '0',
    DEMO_HISTORY_DAYS: '1',
    REPORTS_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-wall-reports-')),
  });
  browser = await launchBrowser();
  page = await (
    await browser.newContext({ viewport: { width: 1920, height: 1080 }, acceptDownloads: true })
  ).newPage();
  watchPage(page);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('briefing reports on the wall', () => {
  it('a leader generates today’s briefing from 简报 and downloads it', async () => {
    await page.goto(`${server.url}/login?next=${encodeURIComponent('/wall')}`);
    await page.fill('input[name="username"]', 'leader');
    await page.fill('input[name="password"]', 'pingan-demo');
    await Promise.all([page.waitForURL((u) => u.pathname === '/wall'), page.click('button[type="submit"]')]);
    // The button belongs to briefing mode only.
    expect(await page.locator('[data-testid="reports-toggle"]').count()).toBe(0);
    await page.click('[data-testid="briefing-toggle"]');
    await page.click('[data-testid="reports-toggle"]');
    const menu = page.locator('[data-testid="reports-menu"]');
    await menu.locator('text=暂无已生成的简报').waitFor();
    await menu.locator('[data-testid="reports-generate"]').click();
    const item = menu.locator('li button').first();
    await item.waitFor({ timeout: 60_000 });
    expect(await item.textContent()).toContain('日报');
    await screenshot(page, 'wall-reports-menu');
    const [download] = await Promise.all([page.waitForEvent('download'), item.click()]);
    expect(download.suggestedFilename()).toMatch(/^briefing-all-day-\d{4}-\d{2}-\d{2}\.pdf$/);
  });
});
