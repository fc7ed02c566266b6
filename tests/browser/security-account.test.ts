import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * Issue 16 items 9 and 12 in the built product: a dispatcher reaches 修改密码 from the console header and
 * changes the password (the policy's message first, in Chinese); an admin sees failed sign-ins as counts on
 * the audit page.
 */
let server: ServerProcess;
let browser: Browser;
let page: Page;

async function signIn(username: string, password: string, next: string) {
  await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL((u) => u.pathname === next), page.click('button[type="submit"]')]);
}

beforeAll(async () => {
  server = await startServerProcess({ DEMO: '1', SIM_INCIDENTS_PER_HOUR: '0', DEMO_HISTORY_DAYS: '1' });
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  watchPage(page);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('own password and denial counts', () => {
  it('a dispatcher changes the password from the console header', async () => {
    await signIn('dispatcher', 'pingan-demo', '/dispatch');
    await page.click('[data-testid="own-password"]');
    await page.waitForURL((u) => u.pathname === '/account');
    const form = page.locator('[data-testid="password-form"]');
    await form.locator('input[name="current"]').fill('pingan-demo');
    await form.locator('input[name="next"]').fill('dispatcher');
    await form.locator('input[name="again"]').fill('dispatcher');
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => form.locator('[role="alert"]').textContent()).toContain('用户名');
    await form.locator('input[name="next"]').fill('Lantern-river-42');
    await form.locator('input[name="again"]').fill('Lantern-river-42');
    await form.locator('button[type="submit"]').click();
    await page.locator('[data-testid="password-done"]').waitFor();
    await screenshot(page, 'account-password-changed');
  });

  it('an admin sees failed sign-ins counted on the audit page', async () => {
    for (let k = 0; k < 3; k++)
      await fetch(`${server.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: `nobody-${k}`, password: 'not-a-password' }),
      });
    const admin = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await admin.newPage();
    await signIn('admin', 'pingan-demo', '/admin/audit');
    const counts = page.locator('[data-testid="denial-counts"]');
    await counts.locator('td', { hasText: '登录失败（无此用户）' }).first().waitFor();
    await counts.scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-audit-denials');
  });
});
