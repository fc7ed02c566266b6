import { createClient } from 'redis';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_KEYS } from '@/lib/realtime/contract';
import { launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { TestRedis } from '../helpers/redis-server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * Issue 2's end-to-end check through Redis: the built product consumes a private redis-server; an incident
 * XADDed to the stream shows on /wall, and vehicle positions PUBLISHed on the channel are applied by the
 * page (its live-unit counter moves).
 */
let redis: TestRedis;
let server: ServerProcess;
let browser: Browser;
let producer: ReturnType<typeof createClient>;

beforeAll(async () => {
  redis = await TestRedis.start();
  server = await startServerProcess({ REDIS_URL: redis.url, DEMO: '1', DEMO_HISTORY_DAYS: '0' });
  producer = createClient({ url: redis.url });
  producer.on('error', () => {});
  await producer.connect();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await producer?.close().catch(() => {});
  await server?.stop();
  await redis?.stop();
});

describe('Redis → server → /wall in Chromium', () => {
  it('shows an XADDed incident and applies published vehicle positions', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const watch = watchPage(page);
    await page.goto(`${server.url}/login?next=${encodeURIComponent('/wall')}`);
    await page.fill('input[name="username"]', 'duty');
    await page.fill('input[name="password"]', 'pingan-demo');
    await Promise.all([page.waitForURL((u) => u.pathname === '/wall'), page.click('button[type="submit"]')]);
    const indicator = page.locator('[data-testid="link-indicator"][data-status="live"]');
    await indicator.waitFor({ timeout: 30_000 });

    const title = `浏览器测试燃气泄漏 ${Date.now()}`;
    await producer.xAdd(REDIS_KEYS.incidentStream, '*', {
      json: JSON.stringify({
        id: `BROWSER-${Date.now()}`,
        category: 'emergency',
        title,
        lng: 104.06,
        lat: 30.66,
        priority: 2,
        source: 'sensor',
        reportedAt: Date.now(),
      }),
    });
    await page.getByText(title).first().waitFor({ timeout: 10_000 });

    const liveUnits = async () => Number(await indicator.getAttribute('data-live-vehicles'));
    const before = await liveUnits();
    const reports = Array.from({ length: 200 }, (_, k) => ({
      id: `BT-${k}`,
      lng: 104.0 + (k % 20) / 200,
      lat: 30.6 + Math.floor(k / 20) / 200,
      heading: (k * 17) % 360,
      speed: 30,
      status: 'patrol',
      ts: Date.now(),
    }));
    await producer.publish(REDIS_KEYS.channel.vehicle, JSON.stringify(reports));
    await expect.poll(liveUnits, { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 200);
    await screenshot(page, 'wall-pipeline');
    expect(watch.externalRequests).toEqual([]);
    await page.close();
  });
});
