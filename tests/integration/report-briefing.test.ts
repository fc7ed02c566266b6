/**
 * Issue 17, briefing reports over the real HTTP path: incidents ingested through POST /api/ingest/incidents,
 * a report fetched as a PDF whose text (extracted with unpdf, i.e. pdf.js) carries the very KPI values that
 * /api/wall/stats answers for the same period and region; a scoped leader cannot get another town's report;
 * a generated file is downloadable only by a name its listing holds.
 */
import { sql } from 'drizzle-orm';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getDocumentProxy } from 'unpdf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { createImportRoutes } from '@/server/admin/import-routes';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { LoginLimiter } from '@/server/auth/login-limiter';
import { dispatchAppHooks } from '@/server/dispatch/dispatch-module';
import { createReportModule } from '@/server/reports/report-module';
import { createWallRoutes } from '@/server/stats/wall-routes';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { bytesOf, goodTerritory, TOWN_A, TOWN_B } from './import-fixtures';

const PASSWORD = 'pingan-demo';
const INGEST_TOKEN = 'ingest-token-for-briefing-report-tests';
/** Inside town A (grids 曙光一/二网格) and town B (古荡一网格). */
const IN_A: [number, number][] = [
  [120.02, 30.15],
  [120.03, 30.12],
  [120.07, 30.18],
];
const IN_B: [number, number] = [120.25, 30.15];

let t: TestApp;
let reportsDir: string;
const cookies: Record<string, string> = {};

async function login(username: string): Promise<string> {
  const r = await fetch(`${t.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`);
  return r.headers.get('set-cookie')!.split(';')[0]!;
}

const get = (p: string, who: string) => fetch(`${t.url}${p}`, { headers: { cookie: cookies[who]! } });

/** The PDF's text items in drawing order (what a reader's copy-paste or a search engine sees). */
async function pdfTexts(bytes: ArrayBuffer): Promise<string[]> {
  const pdf = await getDocumentProxy(new Uint8Array(bytes));
  const out: string[] = [];
  for (let p = 1; p <= pdf.numPages; p++) {
    const content = await (await pdf.getPage(p)).getTextContent();
    for (const it of content.items) if ('str' in it && it.str.trim()) out.push(it.str.trim());
  }
  return out;
}

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

beforeAll(async () => {
  reportsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-reports-'));
  const clock = new FakeClock(Date.now());
  const hooks = dispatchAppHooks({ limiter: new LoginLimiter(10_000) });
  t = await startTestApp({
    clock,
    env: { INGEST_TOKEN, REPORTS_DIR: reportsDir },
    auth: hooks.auth,
    routes: (ctx) => [
      ...hooks.routes(ctx),
      ...createWallRoutes({
        sql: ctx.sql,
        live: ctx.live,
        clock: ctx.clock,
        regions: ctx.regions,
      }),
      ...createImportRoutes(ctx, hooks.module()!),
      ...createReportModule(ctx, hooks.module()!).routes,
    ],
  });
  await seedDemoAccounts(t.app.ctx.sql, clock, PASSWORD);
  for (const u of ['admin', 'leader', 'dispatcher', 'duty']) cookies[u] = await login(u);
  const imported = await fetch(`${t.url}/api/admin/import/territory`, {
    method: 'POST',
    headers: {
      cookie: cookies.admin!,
      'content-type': 'application/octet-stream',
      'x-file-name': encodeURIComponent('辖区.geojson'),
    },
    body: bytesOf(goodTerritory()) as Uint8Array<ArrayBuffer>,
  });
  expect(imported.status).toBe(200);
  const categories = ['dispute', 'fire_safety', 'dispute'] as const;
  const items = [
    ...IN_A.map(([lng, lat], k) => ({
      id: `RPT-A${k}`,
      category: categories[k],
      title: `北山 工单 ${k} 来电13812345678`,
      lng,
      lat,
      priority: k === 0 ? 1 : 3,
      source: 'hotline_12345',
      reportedAt: clock.now() - 60_000,
    })),
    {
      id: 'RPT-B0',
      category: 'traffic',
      title: '西溪 工单',
      lng: IN_B[0],
      lat: IN_B[1],
      priority: 2,
      source: 'police_110',
      reportedAt: clock.now() - 60_000,
    },
  ];
  const r = await fetch(`${t.url}/api/ingest/incidents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(items),
  });
  expect(r.status).toBe(202);
  expect(((await r.json()) as { accepted: number }).accepted).toBe(4);
});

afterAll(async () => {
  await t?.close();
});

describe('briefing report (PDF)', () => {
  it('carries the KPI values /api/wall/stats answers for the same period and region', async () => {
    for (const [region, period, wallPeriod, who] of [
      [TOWN_A, 'day', 'today', 'leader'],
      ['', 'week', '7d', 'dispatcher'],
    ] as const) {
      const stats = (await (
        await get(`/api/wall/stats?region=${region}&period=${wallPeriod}`, who)
      ).json()) as {
        region: { name: string };
        kpi: Record<string, number | null>;
      };
      const res = await get(`/api/reports/briefing?region=${region}&period=${period}`, who);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      const texts = await pdfTexts(await res.arrayBuffer());
      const after = (label: string) => texts[texts.indexOf(label) + 1];
      const k = stats.kpi;
      expect(k.received, `${region || 'all'}: known incidents`).toBe(region === TOWN_A ? 3 : 4);
      expect(texts.join(' ')).toContain(`${stats.region.name}综治中心 ${period === 'day' ? '日报' : '周报'}`);
      expect(after('受理')).toBe(String(k.received));
      expect(after('办结')).toBe(String(k.resolved));
      expect(after('办结率')).toBe(pct(k.resolveRate!));
      expect(after('按时办结率')).toBe(pct(k.onTimeRate!));
      expect(after('满意度')).toBe(pct(k.satisfactionRate!));
      expect(after('超时')).toBe(String(k.overdue));
      expect(after('督办')).toBe(String(k.supervised));
      // Personal data is masked as on a duty wall: no phone number in a document that gets forwarded.
      expect(texts.join(' ')).not.toContain('13812345678');
    }
  });

  it('renders the same page as PNG', async () => {
    const res = await get(`/api/reports/briefing?region=${TOWN_A}&period=month&format=png`, 'leader');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1684); // A4 landscape at 2 px per pt
    if (process.env.REPORT_SAMPLE_OUT) fs.writeFileSync(process.env.REPORT_SAMPLE_OUT, png);
  });

  it('refuses bad parameters with a reason', async () => {
    for (const q of ['period=year', 'date=2026-02-30', 'date=2999-01-01', 'format=docx', 'region=abc']) {
      const res = await get(`/api/reports/briefing?${q}`, 'dispatcher');
      expect(res.status, q).toBe(400);
    }
  });
});

describe('briefing report access', () => {
  beforeAll(async () => {
    await t.app.ctx.sql.run(sql`UPDATE users SET region_code = ${TOWN_A} WHERE username = 'leader'`);
    cookies.leader = await login('leader');
  });

  it('gives a leader scoped to town A its own town, never town B', async () => {
    expect((await get(`/api/reports/briefing?region=${TOWN_B}&period=day`, 'leader')).status).toBe(403);
    const own = await get('/api/reports/briefing?period=day', 'leader');
    expect(own.status).toBe(200);
    const texts = await pdfTexts(await own.arrayBuffer());
    expect(texts[texts.indexOf('受理') + 1]).toBe('3'); // town A's three, not the territory's four
  });

  it('lists and serves only files in scope, by a listed name only', async () => {
    const gen = async (who: string, region: string | null) =>
      fetch(`${t.url}/api/reports/generate`, {
        method: 'POST',
        headers: { cookie: cookies[who]!, 'content-type': 'application/json', origin: t.url },
        body: JSON.stringify({ region, period: 'day' }),
      });
    expect((await gen('dispatcher', null)).status).toBe(403); // generating is for leaders and admins
    const a = await gen('leader', TOWN_A);
    expect(a.status).toBe(201);
    const nameA = ((await a.json()) as { name: string }).name;
    expect(nameA).toMatch(new RegExp(`^briefing-${TOWN_A}-day-\\d{4}-\\d{2}-\\d{2}\\.pdf$`));
    expect((await gen('leader', TOWN_B)).status).toBe(403);
    const b = await gen('admin', TOWN_B);
    const nameB = ((await b.json()) as { name: string }).name;
    const audited = await t.app.ctx.sql.all(
      sql`SELECT actor, object_id AS id FROM audit_log WHERE action = 'report.generate' AND result = 'ok' ORDER BY audit_log.id`,
    );
    expect(audited).toEqual([
      { actor: 'leader', id: nameA },
      { actor: 'admin', id: nameB },
    ]);
    fs.writeFileSync(path.join(reportsDir, 'secret.pdf'), 'not a report');

    const list = async (who: string) =>
      ((await (await get('/api/reports', who)).json()) as { reports: { name: string }[] }).reports.map(
        (r) => r.name,
      );
    expect(await list('leader')).toEqual([nameA]);
    expect((await list('dispatcher')).sort()).toEqual([nameA, nameB].sort());

    const file = await get(`/api/reports/files/${nameA}`, 'leader');
    expect(file.status).toBe(200);
    expect(
      Buffer.from(await file.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    for (const name of [
      nameB, // exists, outside the leader's town
      'secret.pdf',
      encodeURIComponent(`../${path.basename(reportsDir)}/${nameA}`),
      encodeURIComponent('../../../../etc/passwd'),
      '..%2F..%2F..%2Fetc%2Fpasswd',
    ])
      expect((await get(`/api/reports/files/${name}`, 'leader')).status, name).toBe(404);
  });
});
