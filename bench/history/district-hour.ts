/**
 * B8 "a district hour loaded into the wall": the real app (API only, port 0, a real SQLite file) records one
 * simulated hour of a district (60 vehicles every 10 s, 300 grid workers every 30 s) through its own tick and
 * history writer, with the day's incidents written by the real ingest and dispatch service. Chromium then
 * opens a page served by that app and runs the wall's own replay engine (components/wall/replay/
 * replay-controller.ts, bundled) on the hour: the figure is from asking for the hour to the engine being able
 * to play it (the period's incidents fetched and decoded, and the keyframes of its first steps: the one at the
 * start and KEYFRAME_PREFETCH ahead). Median of 3 in one page (the first pays the JIT, as a real first replay).
 *
 * Baseline: what a replay built on the track API would ask for instead, one hour's track per unit (360
 * requests), timed in the same page.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { build } from 'esbuild';
import { Registry } from 'prom-client';
import { FakeClock } from '@/lib/clock';
import type { IncidentCategory } from '@/lib/domain/enums';
import type { IncidentCommand } from '@/lib/domain/incident-lifecycle';
import { SqlAudit } from '@/server/audit/audit-append';
import { sqliteSqlDb } from '@/server/db/sql-db';
import { dispatchLiveFrom } from '@/server/dispatch/dispatch-module';
import { DispatchService } from '@/server/dispatch/dispatch-service';
import type { Principal } from '@/server/http/router';
import { BUCKET_MS } from '@/server/history/open-runs';
import { IncidentIngest } from '@/server/ingest/incident-ingest';
import { IngestStats } from '@/server/ingest/ingest-stats';
import { GridLocator } from '@/server/live/grid-locator';
import type { EntityStore } from '@/server/live/entity-store';
import { launchBrowser } from '../../tests/helpers/browser';
import type { loadHour } from './district-page';
import { startTestApp, waitFor } from '../../tests/helpers/test-app';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const DISTRICT = { vehicles: 60, workers: 300, vehicleEveryMs: 10_000, workerEveryMs: 30_000 };
const HOUR_MS = 3_600_000;
/** Incidents alive in the hour: the day's still-open backlog plus the hour's own (a busy district's hour). */
const BACKLOG = 160;
const IN_HOUR = 40;
const RUNS = 3;
const DISPATCHER: Principal = { username: 'bench', role: 'dispatcher', isDisplay: false };
const CATEGORIES: IncidentCategory[] = ['dispute', 'public_security', 'fire_safety', 'environment'];

export interface DistrictHourResult {
  /** Asking for the hour → the wall's replay engine able to play it, ms. */
  loadMs: { median: number; min: number; max: number };
  /** Of the median run: when the incidents' answer and the last keyframe's had arrived (ms after asking). */
  incidentsMs: number;
  framesMs: number;
  frames: number;
  bytes: { incidents: number; frames: number };
  incidents: number;
  unitsInFrame: number;
  positionsRecorded: number;
  /** The baseline: one hour's track per unit over HTTP, ms. */
  naiveMs: { median: number; min: number; max: number };
  naiveRequests: number;
  chromium: string;
}

/** Deterministic pseudo-random numbers (mulberry32), so runs compare. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function bundle(): Promise<string> {
  const out = await build({
    entryPoints: [path.join(import.meta.dirname, 'district-page.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    alias: { '@': ROOT },
    // CSS modules are imported by nothing the engine needs; a stray one must not break the bundle.
    loader: { '.css': 'empty' },
    minify: true,
  });
  return out.outputFiles[0]!.text;
}

export async function runDistrictHourBench(log: (s: string) => void): Promise<DistrictHourResult> {
  const script = await bundle();
  // A real past hour (the replay picker refuses the future), on a bucket boundary like any whole hour.
  const hourStart = Math.floor((Date.now() - 3 * HOUR_MS) / HOUR_MS) * HOUR_MS;
  const dayStart = hourStart - 24 * HOUR_MS;
  const clock = new FakeClock(dayStart);
  const page = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/bench.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
      res.end(script);
      return Promise.resolve();
    }
    res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
    res.end('<!doctype html><meta charset="utf-8"><title>B8</title><script src="/bench.js"></script>');
    return Promise.resolve();
  };
  const t = await startTestApp({ clock, nextHandler: page });
  const { live, logger } = t.app.ctx;
  const sqlite = t.db.$client;
  const rand = rng(8);
  try {
    // The units, as the app's live state registers them (their registry rows are not what is timed).
    const center = { lng: 120.17, lat: 30.25 };
    const place = (store: EntityStore, prefix: string, n: number) => {
      const out: { i: number; lng: number; lat: number; heading: number; speed: number }[] = [];
      for (let k = 0; k < n; k++) {
        const i = store.add({ id: `${prefix}${String(k).padStart(4, '0')}`, name: null, kind: null });
        // A district ~20 km across.
        out.push({
          i,
          lng: center.lng + (rand() - 0.5) * 0.2,
          lat: center.lat + (rand() - 0.5) * 0.18,
          heading: rand() * 360,
          speed: rand() * 50,
        });
      }
      return out;
    };
    const cars = place(live.vehicle, 'B8V', DISTRICT.vehicles);
    const people = place(live.worker, 'B8W', DISTRICT.workers);
    sqlite
      .prepare(`INSERT INTO departments (id, name, kind, region_code, categories) VALUES (?, ?, ?, ?, ?)`)
      .run('b8-dept', '区城管执法局', 'urban', '330102000000', JSON.stringify(CATEGORIES));

    // The day's incidents through the real ingest and the audited dispatch service, at their own times.
    const sqlDb = sqliteSqlDb(sqlite);
    const ingest = new IncidentIngest(sqlDb, live, new IngestStats(new Registry(), logger), () => {
      return new GridLocator([]);
    });
    const service = new DispatchService(
      sqlDb,
      dispatchLiveFrom(live),
      new SqlAudit(sqlDb, clock),
      clock,
      logger,
    );
    type Step = { at: number; id: string; command: IncidentCommand };
    const arrivals: { at: number; k: number }[] = [];
    for (let k = 0; k < BACKLOG; k++) arrivals.push({ at: dayStart + rand() * (hourStart - dayStart), k });
    for (let k = 0; k < IN_HOUR; k++) arrivals.push({ at: hourStart + rand() * HOUR_MS, k: BACKLOG + k });
    arrivals.sort((a, b) => a.at - b.at);
    const steps: Step[] = [];
    const runSteps = async (until: number) => {
      steps.sort((a, b) => a.at - b.at);
      while (steps.length > 0 && steps[0]!.at <= until) {
        const s = steps.shift()!;
        clock.set(Math.max(clock.now(), s.at));
        await service.execute(s.id, s.command, DISPATCHER, 'bench');
      }
    };
    const arrive = async (a: { at: number; k: number }) => {
      await runSteps(a.at);
      clock.set(Math.max(clock.now(), a.at));
      const id = `B8-INC-${a.k}`;
      const r = await ingest.handleItems(
        [
          {
            id,
            category: CATEGORIES[a.k % CATEGORIES.length],
            title: `区里第${a.k + 1}件事件`,
            lng: center.lng + (rand() - 0.5) * 0.2,
            lat: center.lat + (rand() - 0.5) * 0.18,
            priority: 1 + (a.k % 4),
            source: 'grid_worker',
            reportedAt: a.at - 30_000,
          },
        ],
        'bench',
      );
      if (r.accepted !== 1) throw new Error(`incident ${id} refused`);
      // Accepted, handed to the department, on scene, resolved: minutes to hours apart, so at the hour's start
      // the backlog stands in every state (some resolved within it).
      let at = a.at + 60_000 + rand() * 300_000;
      steps.push({ at, id, command: { type: 'transition', to: 'accepted', note: '已受理' } });
      at += 60_000 + rand() * 600_000;
      steps.push({
        at,
        id,
        command: { type: 'assign', assignee: { kind: 'department', id: 'b8-dept' }, note: '派单' },
      });
      at += 600_000 + rand() * 3_600_000;
      steps.push({ at, id, command: { type: 'transition', to: 'on_scene', note: '到场' } });
      at += 1_800_000 + rand() * 20 * HOUR_MS;
      steps.push({ at, id, command: { type: 'transition', to: 'resolved', note: '办结' } });
    };
    // Units report from a minute before the hour, as they had all along: its first frame holds every one.
    const recordFrom = hourStart - 60_000;
    for (const a of arrivals.filter((x) => x.at < recordFrom)) await arrive(a);
    await runSteps(recordFrom);
    clock.set(recordFrom);

    // The hour: units move and report on their own schedules; every step is sealed by the app's own tick and
    // handed to its history writer, as live.
    const stepMs = DISTRICT.vehicleEveryMs;
    const inHour = arrivals.filter((x) => x.at >= recordFrom);
    let positions = 0;
    const mPerDeg = 111_320;
    const move = (
      store: EntityStore,
      u: { i: number; lng: number; lat: number; heading: number; speed: number },
      now: number,
      dtS: number,
    ) => {
      u.heading = (u.heading + (rand() - 0.5) * 40 + 360) % 360;
      u.speed = Math.max(0, Math.min(60, u.speed + (rand() - 0.5) * 10));
      const d = (u.speed / 3.6) * dtS;
      const h = (u.heading * Math.PI) / 180;
      u.lat += (d * Math.cos(h)) / mPerDeg;
      u.lng += (d * Math.sin(h)) / (mPerDeg * Math.cos((u.lat * Math.PI) / 180));
      store.lng[u.i] = Math.round(u.lng * 1e6) / 1e6;
      store.lat[u.i] = Math.round(u.lat * 1e6) / 1e6;
      store.speed[u.i] = Math.round(u.speed * 10) / 10;
      store.heading[u.i] = Math.round(u.heading);
      store.status[u.i] = 0;
      store.ts[u.i] = Math.round(now / 1000) * 1000;
      store.touch(u.i, live.tick);
      positions++;
    };
    for (let now = recordFrom; now <= hourStart + HOUR_MS; now += stepMs) {
      while (inHour.length > 0 && inHour[0]!.at <= now) await arrive(inHour.shift()!);
      await runSteps(now);
      clock.set(now);
      for (const u of cars) move(live.vehicle, u, now, stepMs / 1000);
      // A third of the workers each step: every worker once per 30 s.
      const phase = Math.round((now - recordFrom) / stepMs) % 3;
      for (let k = phase; k < people.length; k += 3) move(live.worker, people[k]!, now, 3 * (stepMs / 1000));
      const target = live.tick + 1;
      await waitFor(() => live.sealedTick >= target, 5_000, 'a tick to seal');
      if (now > hourStart && (now - hourStart) % (20 * 60_000) === 0)
        log(`  B8 district hour: ${Math.round((now - hourStart) / 60_000)} simulated min recorded`);
    }
    // Into the next bucket, so the hour's last one is closed and written like any past hour's.
    clock.set(hourStart + HOUR_MS + BUCKET_MS + stepMs);
    const target = live.tick + 2;
    await waitFor(() => live.sealedTick >= target, 5_000, 'a tick to seal');
    await new Promise((r) => setTimeout(r, 500));

    const browser = await launchBrowser();
    try {
      const tab = await browser.newPage();
      await tab.goto(`${t.url}/bench`);
      await tab.waitForFunction(() => 'benchDistrictHour' in globalThis);
      type Run = Awaited<ReturnType<typeof loadHour>>;
      const runs: Run[] = [];
      for (let r = 0; r < RUNS; r++)
        runs.push(
          await tab.evaluate(
            ([from, to]) =>
              (
                globalThis as unknown as { benchDistrictHour: (f: number, t: number) => Promise<Run> }
              ).benchDistrictHour(from!, to!),
            [hourStart, hourStart + HOUR_MS],
          ),
        );
      const ids = [
        ...cars.map((_, k) => `vehicle/B8V${String(k).padStart(4, '0')}`),
        ...people.map((_, k) => `worker/B8W${String(k).padStart(4, '0')}`),
      ];
      const naive: number[] = [];
      for (let r = 0; r < RUNS; r++)
        naive.push(
          await tab.evaluate(
            ([from, to, list]) =>
              (
                globalThis as unknown as {
                  benchNaiveTracks: (f: number, t: number, ids: string[]) => Promise<number>;
                }
              ).benchNaiveTracks(from as number, to as number, list as string[]),
            [hourStart, hourStart + HOUR_MS, ids] as const,
          ),
        );
      const sorted = [...runs].sort((a, b) => a.loadMs - b.loadMs);
      const mid = sorted[Math.floor(sorted.length / 2)]!;
      if (mid.incidents < BACKLOG / 2) throw new Error(`the hour held only ${mid.incidents} incidents`);
      if (mid.unitsInFrame < DISTRICT.vehicles + DISTRICT.workers)
        throw new Error(`the first frame held only ${mid.unitsInFrame} units`);
      const stat = (xs: number[]) => {
        const s = [...xs].sort((a, b) => a - b);
        const r1 = (v: number) => Math.round(v * 10) / 10;
        return { median: r1(s[Math.floor(s.length / 2)]!), min: r1(s[0]!), max: r1(s[s.length - 1]!) };
      };
      return {
        loadMs: stat(runs.map((r) => r.loadMs)),
        incidentsMs: Math.round(mid.incidentsMs * 10) / 10,
        framesMs: Math.round(mid.framesMs * 10) / 10,
        frames: mid.frames,
        bytes: mid.bytes,
        incidents: mid.incidents,
        unitsInFrame: mid.unitsInFrame,
        positionsRecorded: positions,
        naiveMs: stat(naive),
        naiveRequests: ids.length,
        chromium: browser.version(),
      };
    } finally {
      await browser.close();
    }
  } finally {
    await t.close();
  }
}
