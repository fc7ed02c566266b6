import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextAttemptAt } from '@/lib/hotline/callback';
import { launchBrowser, screenshot, watchPage } from '../helpers/browser';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

/**
 * The admin devices page in the built product (demo world): the admin finds a camera by searching, disables
 * it after the confirm step, sees it marked 已停用 with its time, and the server shows it took effect (its
 * reports are refused as `disabled`, counted in /api/health; the wall's camera count drops); enabled again,
 * its reports are accepted. The grid-worker tab pages through the roster. The 12345 platform's callback URL
 * (a real local HTTP server) answers 500: a work order's state change is retried until it is a dead letter,
 * listed with its reason; once the platform is back, the admin's 重新回传 delivers it and is audited.
 * Screenshots for a look.
 */
const PASSWORD = 'pingan-demo';
const TOKEN = 'ingest-token-for-admin-devices';
const HOTLINE_TOKEN = 'hotline-token-for-admin-devices';

/** The 12345 platform's callback endpoint: refuses with 500 until told otherwise, and keeps what it got. */
const platform = {
  isRefusing: true,
  received: [] as { orderNo: string; stage: string; status: number }[],
  server: null as http.Server | null,
};

let server: ServerProcess;
let browser: Browser;
let page: Page;
let watch: ReturnType<typeof watchPage>;

async function until<T>(fn: () => Promise<T | null | undefined | false>, what: string, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** GET as the signed-in admin (the page's own session). */
const getJson = <T>(path: string) =>
  page.evaluate(async (p) => (await fetch(p, { credentials: 'same-origin' })).json(), path) as Promise<T>;

async function reportCamera(id: string) {
  const r = await fetch(`${server.url}/api/ingest/cameras`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify([{ id, status: 'online', ts: Date.now() }]),
  });
  return (await r.json()) as { accepted: number; rejected: { reason: string }[] };
}
const disabledRejections = async () =>
  (
    (await (await fetch(`${server.url}/api/health`)).json()) as {
      ingest: { rejected: Record<string, number> };
    }
  ).ingest.rejected['http:camera/disabled'] ?? 0;
const wallCameras = async () =>
  (await getJson<{ cameras: { total: number } }>('/api/wall/stats')).cameras.total;

beforeAll(async () => {
  platform.server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const status = platform.isRefusing ? 500 : 200;
      try {
        const cb = JSON.parse(body) as { orderNo: string; stage: string };
        platform.received.push({ orderNo: cb.orderNo, stage: cb.stage, status });
      } catch {
        // not JSON: answered all the same
      }
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(platform.isRefusing ? 'platform maintenance' : 'ok');
    });
  });
  await new Promise<void>((r) => platform.server!.listen(0, '127.0.0.1', r));
  const callbackPort = (platform.server.address() as AddressInfo).port;
  server = await startServerProcess({
    DEMO: '1',
    SIM_INCIDENTS_PER_HOUR: '0',
    DEMO_HISTORY_DAYS: '1',
    INGEST_TOKEN: TOKEN,
    HOTLINE_TOKEN,
    HOTLINE_CALLBACK_URL: `http://127.0.0.1:${callbackPort}/callback`,
  });
  browser = await launchBrowser();
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await ctx.newPage();
  watch = watchPage(page);
  await page.goto(`${server.url}/login?next=${encodeURIComponent('/admin/devices')}`);
  await page.fill('input[name="username"]', 'admin');
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/admin/devices'),
    page.click('button[type="submit"]'),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((r) => platform.server?.close(r));
});

describe('admin devices: cameras and grid workers', () => {
  it('disables a camera after confirming, shows it 已停用, and the server refuses its reports; then enables it', async () => {
    const rows = page.locator('[data-testid="unit-row"]');
    await rows.first().waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.locator('[data-testid="units-total"]').textContent()).toMatch(/共 \d+\+? 条/);
    await screenshot(page, 'admin-devices-units');

    // The demo's cameras are all reporting; take the third one listed, found again by its id.
    const id = (await rows.nth(2).getAttribute('data-id'))!;
    expect(id).toMatch(/^\d{20}$/);
    expect((await reportCamera(id)).accepted).toBe(1);
    const camerasBefore = await wallCameras();
    await page.fill('[data-testid="units-search"]', id);
    await until(
      async () => (await rows.count()) === 1 && (await rows.first().getAttribute('data-id')) === id,
      'search',
    );

    await page.click('[data-testid="unit-disable"]');
    const confirm = page.locator('[data-testid="unit-confirm"]');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('停用后立即从所有大屏撤下');
    await screenshot(page, 'admin-devices-confirm');
    // Nothing happened yet: the confirm step is the only way to the request.
    expect(await rows.first().getAttribute('data-disabled')).toBe('0');
    await page.click('[data-testid="unit-confirm-disable"]');
    await page.locator(`[data-testid="unit-row"][data-id="${id}"][data-disabled="1"]`).waitFor();
    const state = (await rows.first().locator('[data-testid="unit-state"]').textContent())!;
    expect(state).toMatch(/已停用自 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 起/);
    expect(await page.locator('[data-testid="unit-enable"]').textContent()).toBe('启用');
    await screenshot(page, 'admin-devices-disabled');

    // The server took it: its report is refused and counted, and the wall counts one camera fewer.
    expect((await reportCamera(id)).rejected).toEqual([{ index: 0, reason: 'disabled' }]);
    expect(await disabledRejections()).toBe(1);
    await until(async () => (await wallCameras()) === camerasBefore - 1, 'the wall camera count to drop');

    // The 已停用 filter lists exactly it.
    await page.fill('[data-testid="units-search"]', '');
    await page.selectOption('[data-testid="units-state"]', 'disabled');
    await until(
      async () => (await page.locator('[data-testid="units-total"]').textContent()) === '共 1 条',
      'filter',
    );
    expect(await rows.first().getAttribute('data-id')).toBe(id);

    await page.click('[data-testid="unit-enable"]');
    await until(async () => (await rows.count()) === 0, 'the enabled camera leaves the 已停用 list');
    await page.selectOption('[data-testid="units-state"]', 'all');
    await page.fill('[data-testid="units-search"]', id);
    await page.locator(`[data-testid="unit-row"][data-id="${id}"][data-disabled="0"]`).waitFor();
    expect((await reportCamera(id)).accepted).toBe(1);
    expect(await disabledRejections()).toBe(1);
    await until(async () => (await wallCameras()) === camerasBefore, 'the wall camera count back');
  });

  it('pages through the grid workers, and reads in English', async () => {
    await page.fill('[data-testid="units-search"]', '');
    await page.click('[data-testid="units-tab-worker"]');
    const rows = page.locator('[data-testid="unit-row"]');
    await until(
      async () =>
        ((await rows.first().getAttribute('data-id')) ?? '').length > 0 && (await rows.count()) === 50,
      'a page of workers',
    );
    const firstPage = await rows.first().getAttribute('data-id');
    await page.click('[data-testid="units-next"]');
    await until(async () => (await rows.first().getAttribute('data-id')) !== firstPage, 'page 2');
    expect(await page.locator('[data-testid="units-pager"]').textContent()).toContain('第 2 /');
    await screenshot(page, 'admin-devices-workers');

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Cameras and grid workers' }).waitFor();
    expect(await page.locator('[data-testid="units-tab-worker"]').textContent()).toBe('Grid workers');
    await screenshot(page, 'admin-devices-en');
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '视频点位与网格员' }).waitFor();
  });

  it('shows an incident’s 来源编号 in the console when its id had to be qualified by the source', async () => {
    // Two sources send the same number; the second is stored as `police_110-<number>`.
    const camera = (await getJson<{ rows: { id: string }[] }>('/api/admin/devices/cameras?pageSize=1'))
      .rows[0]!;
    const at = await getJson<{ lng: number; lat: number }>(`/api/cameras/${camera.id}`);
    for (const source of ['hotline_12345', 'police_110']) {
      const r = await fetch(`${server.url}/api/ingest/incidents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: 'WO-20261202-77',
          source,
          category: 'public_security',
          title: `同号工单（${source}）`,
          lng: at.lng,
          lat: at.lat,
          priority: 2,
          reportedAt: Date.now(),
        }),
      });
      expect(r.status).toBe(202);
    }
    await page.goto(`${server.url}/dispatch`);
    await page.locator('[data-testid="queue-item-police_110-WO-20261202-77"]').click({ timeout: 30_000 });
    const ref = page.locator('[data-testid="incident-source-ref"]');
    await ref.waitFor();
    expect(await ref.textContent()).toBe('来源编号 WO-20261202-77');
    expect(await page.locator('[data-testid="incident-title"]').textContent()).toBe('同号工单（police_110）');
    await screenshot(page, 'dispatch-incident-source-ref');

    expect(watch.externalRequests).toEqual([]);
    expect(watch.consoleErrors.filter((e) => !e.includes('the server responded with a status of 4'))).toEqual(
      [],
    );
  });

  it('lists a 12345 callback the platform kept refusing as a dead letter, with its reason, and 重新回传 delivers it', async () => {
    const orderNo = `GD-DL-${Date.now()}`;
    const pushed = await fetch(`${server.url}/api/ingest/hotline`, {
      method: 'POST',
      headers: { authorization: `Bearer ${HOTLINE_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        orderNo,
        appealType: '求助',
        title: '小区路灯不亮',
        content: '望江小区 3 幢门口路灯连续三晚不亮',
        address: '望江小区 3 幢',
        location: { lng: 120.1551, lat: 30.2741 },
        acceptedAt: new Date().toISOString(),
      }),
    });
    const incidentId = ((await pushed.json()) as { orders: { incidentId: string }[] }).orders[0]!.incidentId;
    // The dispatcher's 受理 is a state change the platform must hear about.
    const login = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ username: 'dispatcher', password: PASSWORD }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const accepted = await fetch(`${server.url}/api/incidents/${encodeURIComponent(incidentId)}/transition`, {
      method: 'POST',
      headers: { cookie, origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'accepted' }),
    });
    expect(accepted.status).toBe(200);

    // Every retry is refused. The backoff (5 s doubling, ~42 min in all) is skipped by making each retry
    // due at once in the server's database, but only once the server has recorded the attempt it sent (as
    // many recorded as the platform received, and next_at the backoff that record wrote): a send in flight
    // holds its claim in next_at, and moving that would hand the callback to a second send. The update
    // names the next_at it read, so a claim made after the read is never moved either. The attempts
    // themselves are the server's own, over HTTP.
    const db = new Database(server.dbPath);
    db.pragma('busy_timeout = 5000');
    try {
      const row = db.prepare<
        [string],
        { state: string; attempts: number; next_at: number; updated_at: number }
      >(
        `SELECT state, attempts, next_at, updated_at FROM hotline_callbacks WHERE order_no = ? ORDER BY id LIMIT 1`,
      );
      const due = db.prepare(
        `UPDATE hotline_callbacks SET next_at = 0
         WHERE order_no = ? AND state = 'pending' AND attempts = ? AND next_at = ?`,
      );
      const sent = () => platform.received.filter((r) => r.orderNo === orderNo).length;
      await until(
        async () => {
          const r = row.get(orderNo);
          if (r?.state === 'dead') return true;
          if (
            r &&
            r.attempts > 0 &&
            r.attempts === sent() &&
            r.next_at === nextAttemptAt(r.attempts, r.updated_at)
          )
            due.run(orderNo, r.attempts, r.next_at);
          return false;
        },
        'the callback to become a dead letter',
        90_000,
      );
      expect(row.get(orderNo)!.attempts).toBe(9);
    } finally {
      db.close();
    }
    const refusals = platform.received.filter((r) => r.orderNo === orderNo);
    expect(refusals.length).toBe(9);
    expect(refusals.every((r) => r.status === 500 && r.stage === 'accept')).toBe(true);

    await page.goto(`${server.url}/admin/devices`);
    const section = page.locator('[data-testid="hotline-dead-letters"]');
    const letter = section.locator('tr', { hasText: orderNo });
    await letter.waitFor({ timeout: 15_000 });
    expect(await letter.textContent()).toContain('HTTP 500 platform maintenance');
    expect(await letter.locator('td').nth(2).textContent()).toBe('9');
    await letter.scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-devices-dead-letter');

    // The platform is back: 重新回传 queues it again, it is delivered, leaves the list, and is audited.
    platform.isRefusing = false;
    await letter.getByRole('button', { name: '重新回传' }).click();
    await section.getByText('已重新排队').waitFor();
    await until(
      async () => platform.received.some((r) => r.orderNo === orderNo && r.status === 200),
      'the callback delivered after 重新回传',
    );
    await page.reload();
    await section.waitFor();
    await until(async () => (await section.locator('tr', { hasText: orderNo }).count()) === 0, 'the list');
    const audit = new Database(server.dbPath, { readonly: true, fileMustExist: true });
    try {
      const rows = audit
        .prepare(`SELECT actor, result FROM audit_log WHERE action = 'hotline.retry'`)
        .all() as { actor: string; result: string }[];
      expect(rows).toEqual([{ actor: 'admin', result: 'ok' }]);
    } finally {
      audit.close();
    }
  }, 150_000);
});
