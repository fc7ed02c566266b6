import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * Issue 16 item 7: signing in through a link whose `next` points elsewhere (`/\evil.com`, which browsers
 * read as `//evil.com`; `//evil.com`; `https://evil.com`; `javascript:`) must land on our own origin.
 */
let server: ServerProcess;
let browser: Browser;

beforeAll(async () => {
  server = await startServerProcess({ DEMO: '1', SIM_INCIDENTS_PER_HOUR: '0', DEMO_HISTORY_DAYS: '1' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('login redirect', () => {
  for (const next of ['/\\evil.com', '//evil.com', 'https://evil.com/', 'javascript:alert(1)']) {
    it(`signs in via ?next=${encodeURIComponent(next)} and stays on the server's origin`, async () => {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      try {
        await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`);
        await page.fill('input[name="username"]', 'admin');
        await page.fill('input[name="password"]', 'pingan-demo');
        await Promise.all([
          page.waitForURL((u) => !(u.origin === server.url && u.pathname === '/login'), { timeout: 30_000 }),
          page.click('button[type="submit"]'),
        ]);
        const landed = new URL(page.url());
        expect(landed.origin).toBe(server.url);
        expect(landed.pathname.startsWith('/admin')).toBe(true);
      } finally {
        await ctx.close();
      }
    });
  }
});
