/**
 * `npm run bench -- --product [--preset=district|province] [--soak-s=120] [--db=seeded.db] [--sim-rate=N]
 * [--vehicles=N]` (N vehicles instead of the preset's):
 * the real product (server/main.ts with the built Next pages, auth, stats, a private Redis) holding a seeded
 * world under the simulator's feed (scripts/simulate.ts, its own process, through Redis as gateways feed),
 * with a real wall in Chromium. Not in CI: it needs `.next` from `npm run build`, so run it under the lock
 * that guards `.next`: `flock /tmp/pingan-browser.lock npm run bench -- --product`.
 *
 * Per run (a fresh server, simulator and Chromium each time):
 * - B4: the wall's cold load, from opening the login page to the first full map drawn: the page's own
 *   `pingan:first-full-map` mark (components/map/LiveMapInner.tsx: the first draw holding a full snapshot,
 *   incidents included, once MapLibre says the style, basemap and grid tiles have all loaded). Bytes on the
 *   wire from the DevTools protocol: HTTP bodies as sent (compressed) plus WebSocket frames.
 * - B3: the wall page's whole main-thread work per batch: a Chromium trace of the renderer's main thread,
 *   every task's time summed between one batch's arrival (`pingan:batch`, lib/realtime/socket-client.ts)
 *   and the next — store, map model and trails, React panels, layer updates, deck.gl and MapLibre frames,
 *   GC. p50/p95 over the window, with the batch handler and the layer build (`pingan:draw`) on their own.
 * - MEM: the server's RSS (/proc) and JS heap (its /metrics) sampled every 2 s over the run.
 * Every figure is the median of the runs, with min and max.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS_DIR, launchBrowser } from '../../tests/helpers/browser';
import type { LinkCounts } from '../../lib/realtime/socket-client';
import { MALLOC_ENV } from '../../server/process/malloc-env';
import { freePort, TestRedis } from '../../tests/helpers/redis-server';
import { leastSquaresSlope } from '../lib/regression';
import type { Figure } from '../report/figures';
import { median, medianFigures } from '../report/median';
import { printTable } from '../report/table';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const PASSWORD = 'bench-product-password-2026';
export const SECRETS = {
  SESSION_SECRET: 's'.repeat(40),
  AUDIT_KEY: 'bench-product-audit-key-0123456789abcdef',
  METRICS_TOKEN: 'bench-product-metrics-token-0123',
};
/** DESIGN §5 targets the product figures are held to (the same as the pipeline bench's). */
const TARGET = { rssMb: 1024, firstFullMapS: 2.5, coldMb: 40, batchMs: 4 };
/** "Flat" over the soak: growth ≤ this share of the peak per 10 min (as the pipeline bench's MEM). */
const FLAT_SHARE_PER_10_MIN = 0.05;
const SAMPLE_EVERY_MS = 2_000;
/**
 * B3's traced window, after the first full map and a settle: at least TRACE_MS, longer (up to TRACE_MAX_MS)
 * until B3_MIN_BATCHES batches came. A province's wall went 15 s without a single batch (issue 20), so a
 * fixed window measured nothing.
 */
const SETTLE_MS = 3_000;
const TRACE_MS = 15_000;
const TRACE_MAX_MS = 120_000;
const B3_MIN_BATCHES = 20;
/**
 * How long the simulator may take to load its world and deliver its first round of vehicle reports (a
 * province's 3.3 M units: ~50 s on 2 cores). The wall is opened after that round, so B4, B3 and the
 * screenshot see a fed server: opened while the simulator still loaded, the province's wall read every unit
 * 离线 and its cold load met no ingest beside it (issue 20).
 */
const FIRST_ROUND_TIMEOUT_MS = 300_000;
/** The page's first errors kept for the log (all are counted). */
const PAGE_ERRORS_KEPT = 5;
/** A wall that has not drawn its first full map by then is reported with what it had got to. */
const FIRST_FULL_MAP_TIMEOUT_MS = 300_000;
/** How long the report of such a page waits for it to answer (a page in a long frame may not). */
const PAGE_ANSWER_MS = 20_000;

type Log = (s: string) => void;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
/** `--name=value` from the command line (the product and soak modes' options). */
export const arg = (name: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? undefined;

interface MemSample {
  tS: number;
  rssMb: number;
  heapUsedMb: number | null;
  /** Where the RSS is: V8's heap as reserved, its old and large-object spaces, and memory outside it. */
  parts: MemParts | null;
}

/** MB, from the server's own /metrics (prom-client's default process metrics). */
export interface MemParts {
  heapTotalMb: number;
  oldMb: number;
  largeObjectMb: number;
  /** Buffers and typed arrays' backing stores (the live columns, Socket.IO frames, the history ring). */
  externalMb: number;
  /** The history thread's own JS heap and external memory (its open segments): outside the main heap. */
  historyHeapMb: number | null;
  historyExternalMb: number | null;
  /** The kernel's split of the RSS: anonymous memory, and file pages mapped (SQLite's mmap, code). */
  rssAnonMb: number | null;
  rssFileMb: number | null;
}

/** The RSS of one sample split: V8's heap (old, large objects), memory outside it, and the rest. */
function memPartsText(rssMb: number, p: MemParts | null): string {
  if (!p) return 'no breakdown';
  const history = (p.historyHeapMb ?? 0) + (p.historyExternalMb ?? 0);
  const rest = rssMb - p.heapTotalMb - p.externalMb - history;
  return (
    `V8 heap reserved ${round(p.heapTotalMb, 0)} MB (old space used ${round(p.oldMb, 0)}, large objects ${round(p.largeObjectMb, 0)}), ` +
    `external ${round(p.externalMb, 0)} MB, the history thread ${round(history, 0)} MB (heap ${round(p.historyHeapMb ?? 0, 0)}, ` +
    `external ${round(p.historyExternalMb ?? 0, 0)}), the rest ${round(rest, 0)} MB (code, SQLite, allocator slack); ` +
    `the kernel's split: ${p.rssAnonMb ?? '—'} MB anonymous, ${p.rssFileMb ?? '—'} MB mapped files`
  );
}

/** A `kB` field of /proc/<pid>/status (VmRSS, RssAnon, RssFile) in MB; null once the process is gone. */
function procStatusMb(pid: number, field: string): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

const roundOrNull = (x: number | null) => (x === null ? null : round(x, 1));

function memPartsOf(text: string, pid: number): MemParts | null {
  const mb = (re: RegExp) => {
    const m = re.exec(text);
    return m ? round(Number(m[1]) / 2 ** 20, 1) : null;
  };
  const heapTotalMb = mb(/^nodejs_heap_size_total_bytes (\S+)$/m);
  const oldMb = mb(/^nodejs_heap_space_size_used_bytes\{space="old"\} (\S+)$/m);
  const largeObjectMb = mb(/^nodejs_heap_space_size_used_bytes\{space="large_object"\} (\S+)$/m);
  const externalMb = mb(/^nodejs_external_memory_bytes (\S+)$/m);
  if (heapTotalMb === null || oldMb === null || largeObjectMb === null || externalMb === null) return null;
  return {
    heapTotalMb,
    oldMb,
    largeObjectMb,
    externalMb,
    historyHeapMb: mb(/^pingan_history_memory_bytes\{part="worker_heap"\} (\S+)$/m),
    historyExternalMb: mb(/^pingan_history_memory_bytes\{part="worker_external"\} (\S+)$/m),
    rssAnonMb: roundOrNull(procStatusMb(pid, 'RssAnon')),
    rssFileMb: roundOrNull(procStatusMb(pid, 'RssFile')),
  };
}

interface ColdLoad {
  /** Opening /login to the first full map, s. */
  totalS: number;
  loginS: number;
  /** /wall's navigation start to its first full map, s. */
  wallToMapS: number;
  /** /wall's navigation start until the Socket.IO snapshot was applied, s (null: not seen). */
  snapshotAtS: number | null;
  snapshotApplyMs: number | null;
  bytes: { http: number; websocket: number };
  incidentsDrawn: number;
}

interface BatchWork {
  batches: number;
  /** Main-thread busy time per batch interval (trace), ms. */
  busyP50Ms: number | null;
  busyP95Ms: number | null;
  /** The same in the main thread's own CPU time (without waiting for a core), ms. */
  cpuP50Ms: number | null;
  cpuP95Ms: number | null;
  /** Mean interval between batches, ms (10 batches/s by design). */
  intervalMs: number | null;
  handlerP50Ms: number | null;
  handlerP95Ms: number | null;
  drawP50Ms: number | null;
  drawP95Ms: number | null;
  /** How long the trace ran (TRACE_MS to TRACE_MAX_MS), s. */
  tracedS: number;
  /** What the server counted meanwhile, for all its walls (the simulator's socket included). */
  server: {
    sent: number;
    full: number;
    slowAcks: number;
    ackGiveUps: number;
    /** Sockets that (re)connected, each starting with a full snapshot; batches a client refused. */
    connects: number;
    refused: number;
  };
  /**
   * What the wall's own link handled in the window (lib/realtime/socket-client.ts `LinkCounts`), read before
   * and after it; null where the page did not answer. The User Timing entries above are per batch but can
   * be missing; these counts say whether the wall got deltas at all.
   */
  page: LinkCounts | null;
  note?: string;
}

interface RunResult {
  startS: number;
  cold: ColdLoad;
  batch: BatchWork;
  mem: {
    samples: MemSample[];
    peakRssMb: number;
    peakHeapMb: number | null;
    slopeMbPerMin: number;
    lateSlopeMbPerMin: number;
    atPeak: MemParts | null;
  };
  /** Times Redis dropped the server's subscription over the run. */
  redisDrops: number | null;
  figures: Record<string, Figure>;
}

function pct(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function tsx(script: string, args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
}

/** `npm run world` into a fresh database (or the one --db names, seeded once and reused). */
export function seedWorld(dbPath: string, preset: string, log: Log): unknown {
  const t0 = Date.now();
  log(`product: npm run world -- --preset ${preset} (into ${dbPath})`);
  const vehicles = arg('vehicles');
  const r = tsx(
    'scripts/generate-world.ts',
    ['--preset', preset, '--db', dbPath, ...(vehicles ? ['--vehicles', vehicles] : [])],
    {},
  );
  if (r.status !== 0) throw new Error(`npm run world failed:\n${r.stderr.slice(-2000)}`);
  const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as Record<string, unknown>;
  log(
    `product: world seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(report.counts)}`,
  );
  return report;
}

/** The wall's and the simulator's accounts (kept when they exist: a reused --db has them already). */
export function createAccounts(dbPath: string): void {
  for (const [user, role] of [
    ['duty', 'duty'],
    ['dispatcher', 'dispatcher'],
  ] as const) {
    const u = tsx('scripts/user.ts', ['create', user, role], {
      DATABASE_PATH: dbPath,
      PINGAN_PASSWORD: PASSWORD,
      AUDIT_KEY: SECRETS.AUDIT_KEY,
    });
    if (u.status !== 0 && !/exists/.test(u.stderr + u.stdout))
      throw new Error(`npm run user create ${user}: ${u.stderr.slice(-1000)}`);
  }
}

export async function waitHealthy(url: string, proc: ChildProcess, logs: string[], timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exitCode !== null)
      throw new Error(`server exited (${proc.exitCode}):\n${logs.join('').slice(-3000)}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  throw new Error(`server not healthy after ${timeoutMs} ms:\n${logs.join('').slice(-3000)}`);
}

function spawnKept(
  script: string,
  args: string[],
  env: Record<string, string>,
  logs: string[],
  o: { nodeFlags?: string[]; logFile?: string } = {},
) {
  const proc = spawn(process.execPath, [...(o.nodeFlags ?? []), '--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const file = o.logFile ? fs.openSync(o.logFile, 'a') : null;
  if (file !== null) proc.once('exit', () => fs.closeSync(file));
  const keep = (d: Buffer) => {
    if (file !== null) fs.writeSync(file, d);
    logs.push(d.toString());
    if (logs.length > 400) logs.splice(0, 200); // bounded: only the tail matters for a failure
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  return proc;
}

/** `npm start` as the bench runs it: built Next pages, auth, stats, the seeded database, a private Redis. */
export function spawnServer(port: number, o: { dbPath: string; redisUrl: string }, logs: string[]) {
  return spawnKept(
    'server/main.ts',
    [],
    {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_PATH: o.dbPath,
      REDIS_URL: o.redisUrl,
      LOG_LEVEL: 'warn',
      ...MALLOC_ENV,
      ...SECRETS,
    },
    logs,
    {
      // BENCH_SERVER_FLAGS='--trace-gc' passes V8/Node flags to the server alone; BENCH_SERVER_LOG=<file>
      // keeps all it prints (the bench keeps only the tail, for a failure).
      nodeFlags: process.env.BENCH_SERVER_FLAGS?.split(/\s+/).filter(Boolean),
      logFile: process.env.BENCH_SERVER_LOG,
    },
  );
}

/** `npm run simulate` feeding that server through Redis, signed in as the dispatcher for its workflow. */
export function spawnSimulator(
  url: string,
  o: { dbPath: string; redisUrl: string; preset: string },
  extra: string[],
  logs: string[],
) {
  return spawnKept(
    'scripts/simulate.ts',
    [
      '--redis',
      o.redisUrl,
      '--db',
      o.dbPath,
      '--server',
      url,
      '--user',
      'dispatcher',
      '--password',
      PASSWORD,
      '--preset',
      o.preset,
      ...extra,
    ],
    { LOG_LEVEL: 'warn', AUDIT_KEY: SECRETS.AUDIT_KEY },
    logs,
  );
}

export async function stopProc(p: ChildProcess | null) {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const force = setTimeout(() => p.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(force);
}

export function rssMbOf(pid: number): number | null {
  return procStatusMb(pid, 'VmRSS');
}

async function metricsText(url: string): Promise<string> {
  try {
    const r = await fetch(`${url}/metrics`, {
      headers: { authorization: `Bearer ${SECRETS.METRICS_TOKEN}` },
    });
    return await r.text();
  } catch {
    return '';
  }
}

function heapUsedOf(text: string): number | null {
  const m = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  return m ? Number(m[1]) / 2 ** 20 : null;
}

export async function heapUsedMb(url: string): Promise<number | null> {
  return heapUsedOf(await metricsText(url));
}

/** Collects every `pingan:*` User Timing entry in each document, bounded, from before the page's own code. */
export const OBSERVER_SCRIPT = `(() => {
  const out = (window.__benchUT = []);
  new PerformanceObserver((l) => {
    for (const e of l.getEntries())
      if (e.name.startsWith('pingan:') && out.length < 200000) out.push([e.name, e.startTime, e.duration]);
  }).observe({ entryTypes: ['mark', 'measure'] });
})();`;

type UT = [string, number, number][];

export async function coldLoad(page: Page, url: string): Promise<ColdLoad> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const bytes = { http: 0, websocket: 0 };
  cdp.on(
    'Network.loadingFinished',
    (e: { encodedDataLength: number }) => (bytes.http += e.encodedDataLength),
  );
  cdp.on('Network.webSocketFrameReceived', (e: { response: { opcode: number; payloadData: string } }) => {
    const d = e.response.payloadData;
    // Binary frames come base64-encoded; text frames as the text itself.
    bytes.websocket += e.response.opcode === 1 ? Buffer.byteLength(d) : Math.floor((d.length * 3) / 4);
  });
  // BENCH_PROFILE_DIR=/tmp/prof writes a V8 CPU profile of the page's cold load (open it in Chrome DevTools).
  const profiler = await startPageProfile(page);
  const t0 = Date.now();
  await page.goto(`${url}/login?next=${encodeURIComponent('/wall')}`);
  await page.fill('input[name="username"]', 'duty');
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/wall'), page.click('button[type="submit"]')]);
  await page
    .waitForFunction(`performance.getEntriesByName('pingan:first-full-map').length > 0`, undefined, {
      timeout: FIRST_FULL_MAP_TIMEOUT_MS,
      polling: 100,
    })
    .catch(async (err: Error) => {
      // What the page got to, so a wall that never draws says where it stopped.
      const seen = await Promise.race([
        sleep(PAGE_ANSWER_MS).then(() => ({
          evaluateFailed: `the page did not answer in ${PAGE_ANSWER_MS / 1000} s (its main thread is held)`,
        })),
        page
          .evaluate(
            `(() => {
            const ut = window.__benchUT || [];
            const snap = ut.find((e) => e[0] === 'pingan:snapshot');
            const map = window.__pinganMap;
            return {
              sinceWallS: Math.round(performance.now() / 100) / 10,
              snapshotAppliedAtS: snap ? Math.round((snap[1] + snap[2]) / 100) / 10 : null,
              snapshotApplyMs: snap ? Math.round(snap[2]) : null,
              batches: ut.filter((e) => e[0] === 'pingan:batch').length,
              draws: ut.filter((e) => e[0] === 'pingan:draw').length,
              mapLoaded: map ? map.loaded() : null,
              styleLoaded: map ? map.isStyleLoaded() : null,
            };
          })()`,
          )
          .catch((e: Error) => ({ evaluateFailed: e.message.split('\n')[0] })),
      ]);
      throw new Error(`${err.message.split('\n')[0]}; the page had: ${JSON.stringify(seen)}`);
    });
  const r = (await page.evaluate(`(() => ({
    origin: performance.timeOrigin,
    map: performance.getEntriesByName('pingan:first-full-map')[0].startTime,
    ut: window.__benchUT,
    incidents: window.__pinganMapView ? window.__pinganMapView.incidents().length : -1,
  }))()`)) as { origin: number; map: number; ut: UT; incidents: number };
  await profiler?.stop('wall-cold-load');
  await cdp.detach().catch(() => {});
  const snap = r.ut.find((e) => e[0] === 'pingan:snapshot');
  return {
    totalS: round((r.origin + r.map - t0) / 1000, 2),
    loginS: round((r.origin - t0) / 1000, 2),
    wallToMapS: round(r.map / 1000, 2),
    snapshotAtS: snap ? round((snap[1] + snap[2]) / 1000, 2) : null,
    snapshotApplyMs: snap ? round(snap[2], 1) : null,
    bytes,
    incidentsDrawn: r.incidents,
  };
}

export interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** The thread's CPU time in the event (absent where the trace has no thread clock). */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/** A scheduler task on a thread, as Chromium's `toplevel` trace category names it (old name, new name). */
const TASK_EVENTS = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

/**
 * Main-thread time between consecutive batches, from a Chromium trace of the page: `busy` is wall time
 * inside tasks (on a shared machine it includes the thread waiting for a core), `cpu` the thread's own CPU
 * time in them (a task straddling a batch edge is split in proportion). ms per interval.
 */
export function busyPerBatch(events: TraceEvent[]): {
  busy: number[];
  cpu: number[];
  intervalMs: number | null;
} {
  const mains = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const marks = events.filter(
    (e) => e.name === 'pingan:batch' && (e.ph === 'b' || e.ph === 'X' || e.ph === 'R' || e.ph === 'I'),
  );
  // The renderer whose main thread timed batches is the wall's.
  const counts = new Map<string, number>();
  for (const m of marks) counts.set(`${m.pid}`, (counts.get(`${m.pid}`) ?? 0) + 1);
  const pid = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (pid === undefined) return { busy: [], cpu: [], intervalMs: null };
  const main = [...mains].find((k) => k.startsWith(`${pid}:`));
  const starts = marks
    .filter((m) => `${m.pid}` === pid)
    .map((m) => m.ts)
    .sort((a, b) => a - b);
  const tasks = events
    .filter(
      (e) => e.ph === 'X' && TASK_EVENTS.has(e.name) && `${e.pid}:${e.tid}` === main && e.dur !== undefined,
    )
    .sort((a, b) => a.ts - b.ts);
  // Top-level tasks only: a nested run loop's task lies inside the one that spun it.
  const top: [number, number, number][] = [];
  for (const t of tasks) {
    const last = top.at(-1);
    if (last && t.ts < last[1]) continue;
    top.push([t.ts, t.ts + t.dur!, t.tdur ?? t.dur!]);
  }
  const busy: number[] = [];
  const cpu: number[] = [];
  let j = 0;
  for (let i = 0; i + 1 < starts.length; i++) {
    const a = starts[i]!;
    const b = starts[i + 1]!;
    while (j < top.length && top[j]![1] <= a) j++;
    let sum = 0;
    let cpuSum = 0;
    for (let k = j; k < top.length && top[k]![0] < b; k++) {
      const [s0, s1, tdur] = top[k]!;
      const overlap = Math.max(0, Math.min(b, s1) - Math.max(a, s0));
      sum += overlap;
      cpuSum += s1 > s0 ? (tdur * overlap) / (s1 - s0) : 0;
    }
    busy.push(sum / 1000);
    cpu.push(cpuSum / 1000);
  }
  const intervalMs = starts.length > 1 ? (starts.at(-1)! - starts[0]!) / 1000 / (starts.length - 1) : null;
  return { busy, cpu, intervalMs };
}

/** The server's batch counters (server/metrics.ts `pingan_realtime_batches`), by `what`. */
async function realtimeBatches(url: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await metricsText(url)).matchAll(/^pingan_realtime_batches\{what="(\w+)"\} (\S+)$/gm))
    out[m[1]!] = Number(m[2]);
  return out;
}

/** Seconds until the server has accepted as many vehicle reports as it holds vehicles (the first round). */
async function waitForFirstRound(url: string, sim: ChildProcess, simLogs: string[]): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < FIRST_ROUND_TIMEOUT_MS) {
    if (sim.exitCode !== null) throw new Error(`simulator exited:\n${simLogs.join('').slice(-2000)}`);
    const text = await metricsText(url);
    const vehicles = Number(/^pingan_live_entities\{kind="vehicle"\} (\S+)$/m.exec(text)?.[1] ?? NaN);
    const accepted = Number(
      /^pingan_ingest_accepted_total\{path="redis:vehicle"\} (\S+)$/m.exec(text)?.[1] ?? 0,
    );
    if (vehicles > 0 && accepted >= vehicles) return round((Date.now() - t0) / 1000, 1);
    await sleep(1_000);
  }
  throw new Error(
    `the simulator's first round of vehicle reports did not arrive in ${FIRST_ROUND_TIMEOUT_MS} ms`,
  );
}

/** Times Redis dropped the server's subscription since it started (`pingan_redis_reconnects`), or null. */
async function redisReconnects(url: string): Promise<number | null> {
  const m = /^pingan_redis_reconnects (\S+)$/m.exec(await metricsText(url));
  return m ? Number(m[1]) : null;
}

/**
 * Redis as the README tells a province-scale deployment to run it: a pub/sub backlog of 256 MB before a
 * subscriber is dropped (32 MB by default, ~0.3 s of a million reports a second). At the default, every
 * stall of the server under the province feed dropped its subscription, and each drop sends every wall a
 * full snapshot (issue 20); the drops are counted in the figures either way.
 */
const PROVINCE_REDIS_ARGS = ['--client-output-buffer-limit', 'pubsub 256mb 128mb 60'];
/**
 * The province's steady feed when --sim-rate is not given: 1 M vehicles reporting every 10 s (terminals report
 * every 1–10 s), the rate the scale-out figures use. The simulator's own default (1 Hz a vehicle) asked it for
 * 1 M reports/s, which it could not make on this machine: after a minute no unit had reported at all.
 */
const PROVINCE_SIM_RATE = '100000';

function pageCountsText(c: LinkCounts | null): string {
  return c === null
    ? '— (the page did not answer)'
    : `${c.batches} deltas, ${c.snapshots} full snapshots, ${c.notApplied} not applied, ${c.listenerErrors} listener errors`;
}

interface PageProfile {
  /** Writes `<name>-<ms>.cpuprofile` into BENCH_PROFILE_DIR. */
  stop(name: string): Promise<void>;
  /** Writes anything else gathered meanwhile (a trace) beside it, as `<name>-<ms>.json`. */
  write(name: string, data: Buffer): void;
}

/** A V8 CPU profile of the page, while BENCH_PROFILE_DIR is set. */
async function startPageProfile(page: Page): Promise<PageProfile | null> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return null;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 1_000 });
  await cdp.send('Profiler.start');
  const save = (file: string, data: string | Buffer) => {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, file), data);
  };
  return {
    async stop(name) {
      const { profile } = (await cdp.send('Profiler.stop')) as { profile: unknown };
      save(`${name}-${Date.now()}.cpuprofile`, JSON.stringify(profile));
      await cdp.detach().catch(() => {});
    },
    write: (name, data) => save(`${name}-${Date.now()}.json`, data),
  };
}

/** The wall link's counts, or null when the page does not answer in PAGE_ANSWER_MS (a long frame). */
async function linkCounts(page: Page): Promise<LinkCounts | null> {
  return Promise.race([
    page
      .evaluate(`window.__pinganMapView ? window.__pinganMapView.linkCounts() : null`)
      .then((c) => c as LinkCounts | null)
      .catch(() => null),
    sleep(PAGE_ANSWER_MS).then(() => null),
  ]);
}

async function batchWork(browser: Browser, page: Page, url: string): Promise<BatchWork> {
  await page.evaluate('window.__benchUT.length = 0');
  const before = await realtimeBatches(url);
  const pageBefore = await linkCounts(page);
  // BENCH_PROFILE_DIR also gets a V8 CPU profile of the page over this window: where a batch's time goes.
  const profiler = await startPageProfile(page);
  const t0 = Date.now();
  // Profiling, the trace also says what the tasks did (devtools.timeline: paint, layout, script, GPU waits).
  const categories = ['toplevel', 'blink.user_timing', '__metadata'];
  if (profiler) categories.push('devtools.timeline', 'gpu');
  await browser.startTracing(page, { categories });
  for (;;) {
    await sleep(1_000);
    const elapsed = Date.now() - t0;
    if (elapsed >= TRACE_MAX_MS) break;
    if (elapsed < TRACE_MS) continue;
    // A page in a long frame may not answer: it counts as no batches yet.
    const n = (await Promise.race([
      page.evaluate(`window.__benchUT.filter((e) => e[0] === 'pingan:batch').length`),
      sleep(5_000).then(() => 0),
    ])) as number;
    if (n >= B3_MIN_BATCHES) break;
  }
  const buf = await browser.stopTracing();
  await profiler?.stop('wall-batches');
  // The trace too: it says what the profile's `(program)` was (frames, GPU read-backs, where tasks came from).
  profiler?.write('wall-batches-trace', buf);
  const tracedS = round((Date.now() - t0) / 1000, 0);
  const after = await realtimeBatches(url);
  const pageAfter = await linkCounts(page);
  const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
  const ut = (await page.evaluate('window.__benchUT')) as UT;
  const handler = ut.filter((e) => e[0] === 'pingan:batch').map((e) => e[2]);
  const draw = ut.filter((e) => e[0] === 'pingan:draw').map((e) => e[2]);
  const parsed = JSON.parse(buf.toString('utf8')) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const { busy, cpu, intervalMs } = busyPerBatch(events);
  const r2 = (x: number | null) => (x === null ? null : round(x, 2));
  return {
    batches: handler.length,
    busyP50Ms: r2(pct(busy, 50)),
    busyP95Ms: r2(pct(busy, 95)),
    cpuP50Ms: r2(pct(cpu, 50)),
    cpuP95Ms: r2(pct(cpu, 95)),
    intervalMs: intervalMs === null ? null : round(intervalMs, 0),
    handlerP50Ms: r2(pct(handler, 50)),
    handlerP95Ms: r2(pct(handler, 95)),
    drawP50Ms: r2(pct(draw, 50)),
    drawP95Ms: r2(pct(draw, 95)),
    tracedS,
    server: {
      sent: delta('sent'),
      full: delta('full'),
      slowAcks: delta('slow_ack'),
      ackGiveUps: delta('ack_give_up'),
      connects: delta('connect'),
      refused: delta('refused'),
    },
    page:
      pageBefore && pageAfter
        ? {
            batches: pageAfter.batches - pageBefore.batches,
            snapshots: pageAfter.snapshots - pageBefore.snapshots,
            notApplied: pageAfter.notApplied - pageBefore.notApplied,
            listenerErrors: pageAfter.listenerErrors - pageBefore.listenerErrors,
          }
        : null,
    ...(busy.length === 0 ? { note: `the trace held no batch marks (${events.length} events)` } : {}),
  };
}

async function oneRun(
  k: number,
  o: { dbPath: string; redisUrl: string; preset: string; soakS: number; simRate?: string },
  log: Log,
): Promise<RunResult> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const serverLogs: string[] = [];
  const simLogs: string[] = [];
  const t0 = Date.now();
  const server = spawnServer(port, o, serverLogs);
  let sim: ChildProcess | null = null;
  let browser: Browser | null = null;
  const samples: MemSample[] = [];
  let sampling: ReturnType<typeof setInterval> | null = null;
  try {
    await waitHealthy(url, server, serverLogs, 600_000);
    const startS = round((Date.now() - t0) / 1000, 1);
    log(`  run ${k + 1}: server up in ${startS} s (pid ${server.pid})`);
    const sample = async () => {
      const rss = rssMbOf(server.pid!);
      if (rss === null) return;
      const text = await metricsText(url);
      samples.push({
        tS: round((Date.now() - t0) / 1000, 1),
        rssMb: round(rss, 1),
        heapUsedMb: heapUsedOf(text),
        parts: memPartsOf(text, server.pid!),
      });
    };
    await sample();
    sampling = setInterval(() => void sample(), SAMPLE_EVERY_MS);
    sim = spawnSimulator(url, o, o.simRate ? ['--rate', o.simRate] : [], simLogs);
    const fedS = await waitForFirstRound(url, sim, simLogs);
    log(`  run ${k + 1}: every vehicle reported once, ${fedS} s after the simulator started`);
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript(OBSERVER_SCRIPT);
    // The page's own errors, counted and the first few kept: a batch listener that throws on every batch
    // (reported, and counted by the link) would otherwise show in no figure.
    const pageErrors: string[] = [];
    let pageErrorCount = 0;
    const onPageError = (text: string) => {
      pageErrorCount++;
      if (pageErrors.length < PAGE_ERRORS_KEPT) pageErrors.push(text.split('\n').slice(0, 3).join(' | '));
    };
    page.on('pageerror', (err) => onPageError(err.stack ?? err.message));
    page.on('console', (m) => {
      if (m.type() === 'error') onPageError(m.text());
    });
    const cold = await coldLoad(page, url);
    log(
      `  run ${k + 1}: B4 first full map ${cold.totalS} s after opening /login (login ${cold.loginS} s, /wall → map ${cold.wallToMapS} s, ` +
        `snapshot applied at ${cold.snapshotAtS ?? '—'} s in ${cold.snapshotApplyMs ?? '—'} ms); ` +
        `${round((cold.bytes.http + cold.bytes.websocket) / 1e6, 2)} MB on the wire (HTTP ${round(cold.bytes.http / 1e6, 2)}, WebSocket ${round(cold.bytes.websocket / 1e6, 2)}); ${cold.incidentsDrawn} incidents drawn`,
    );
    if (k === 0) {
      fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
      // A wall busy drawing 100 k units on software GL can outlast the screenshot's timeout: not a figure.
      await page
        .screenshot({
          path: path.join(ARTIFACTS_DIR, `bench-product-${o.preset}-wall.png`),
          timeout: 120_000,
        })
        .catch((err: Error) => log(`  run ${k + 1}: no screenshot (${err.message.split('\n')[0]})`));
    }
    await sleep(SETTLE_MS);
    const batch = await batchWork(browser, page, url);
    log(
      `  run ${k + 1}: B3 main-thread CPU per batch p50 ${batch.cpuP50Ms ?? '—'} ms p95 ${batch.cpuP95Ms ?? '—'} ms ` +
        `(wall time in tasks p50 ${batch.busyP50Ms ?? '—'} / p95 ${batch.busyP95Ms ?? '—'} ms) over ${batch.batches} batches in ${batch.tracedS} s ` +
        `(every ${batch.intervalMs ?? '—'} ms); batch handler p50 ${batch.handlerP50Ms ?? '—'} / p95 ${batch.handlerP95Ms ?? '—'} ms, ` +
        `layer build p50 ${batch.drawP50Ms ?? '—'} / p95 ${batch.drawP95Ms ?? '—'} ms; server meanwhile sent ${batch.server.sent} ` +
        `(${batch.server.full} full), ${batch.server.slowAcks} late acks, ${batch.server.ackGiveUps} walls dropped, ` +
        `${batch.server.connects} sockets (re)connected, ${batch.server.refused} batches refused; ` +
        `the wall's link handled ${pageCountsText(batch.page)}${batch.note ? `; ${batch.note}` : ''}`,
    );
    log(
      `  run ${k + 1}: the page logged ${pageErrorCount} errors${pageErrors.length ? `, the first: ${pageErrors.join(' || ')}` : ''}`,
    );
    // Why the wall's link dropped, from the page's marks (each drop costs it a full snapshot).
    const drops = (await page
      .evaluate(
        `(window.__benchUT || []).filter((e) => e[0].startsWith('pingan:disconnect:')).map((e) => e[0].slice(18) + ' at ' + Math.round(e[1] / 1000) + ' s')`,
      )
      .catch(() => [])) as string[];
    log(
      `  run ${k + 1}: the wall's link dropped ${drops.length} times${drops.length ? `: ${drops.join(', ')}` : ''}`,
    );
    const until = t0 + o.soakS * 1000;
    while (Date.now() < until) {
      if (server.exitCode !== null) throw new Error(`server exited:\n${serverLogs.join('').slice(-3000)}`);
      await sleep(Math.min(5_000, Math.max(0, until - Date.now())));
    }
    clearInterval(sampling);
    sampling = null;
    await sample();
    const tail = samples.slice(Math.floor(samples.length / 5));
    const slope = leastSquaresSlope(
      tail.map((s) => s.tS / 60),
      tail.map((s) => s.rssMb),
    );
    // The second half alone: whether RSS still climbs once the heap has grown to its working size.
    const late = samples.slice(Math.floor(samples.length / 2));
    const lateSlope = leastSquaresSlope(
      late.map((s) => s.tS / 60),
      late.map((s) => s.rssMb),
    );
    const heaps = samples.flatMap((s) => (s.heapUsedMb === null ? [] : [s.heapUsedMb]));
    const redisDrops = await redisReconnects(url);
    const peak = samples.reduce((a, b) => (b.rssMb > a.rssMb ? b : a), samples[0]!);
    const mem = {
      samples,
      peakRssMb: peak.rssMb,
      peakHeapMb: heaps.length ? round(Math.max(...heaps), 0) : null,
      slopeMbPerMin: round(slope, 2),
      lateSlopeMbPerMin: round(lateSlope, 2),
      atPeak: peak.parts,
    };
    log(
      `  run ${k + 1}: MEM peak RSS ${round(mem.peakRssMb, 0)} MB (${memPartsText(peak.rssMb, peak.parts)}), heap used peak ${mem.peakHeapMb ?? '—'} MB, ` +
        `RSS trend ${mem.slopeMbPerMin} MB/min over ${samples.at(-1)?.tS ?? 0} s, ${mem.lateSlopeMbPerMin} MB/min over its second half; ` +
        `Redis dropped the subscription ${redisDrops ?? '—'} times`,
    );
    return {
      startS,
      cold,
      batch,
      mem,
      redisDrops,
      figures: productFigures(o.preset, startS, cold, batch, mem, redisDrops),
    };
  } finally {
    if (sampling) clearInterval(sampling);
    await browser?.close().catch(() => {});
    await stopProc(sim);
    await stopProc(server);
  }
}

function productFigures(
  preset: string,
  startS: number,
  cold: ColdLoad,
  b: BatchWork,
  mem: RunResult['mem'],
  redisDrops: number | null,
): Record<string, Figure> {
  const coldMb = (cold.bytes.http + cold.bytes.websocket) / 1e6;
  const flatLimit = FLAT_SHARE_PER_10_MIN * mem.peakRssMb;
  return {
    MEM: {
      value: round(mem.peakRssMb, 0),
      unit: `MB RSS of the whole product (server/main.ts: Next, auth, stats, ${preset} world) under the simulator's feed, peak`,
      baseline: null,
      target: TARGET.rssMb,
      ratio: null,
      met: mem.peakRssMb <= TARGET.rssMb && mem.slopeMbPerMin * 10 <= flatLimit,
      note: `at the peak ${memPartsText(mem.peakRssMb, mem.atPeak)}; JS heap used peak ${mem.peakHeapMb ?? '—'} MB; RSS trend ${mem.slopeMbPerMin} MB/min after the first fifth (flat = ≤ ${round(flatLimit, 0)} MB per 10 min), ${mem.lateSlopeMbPerMin} MB/min over the second half, over ${mem.samples.at(-1)?.tS ?? 0} s with a wall connected; server up (healthy) ${startS} s after start; Redis dropped its subscription ${redisDrops ?? '—'} times`,
      peakHeapMb: mem.peakHeapMb,
      slopeMbPerMin: mem.slopeMbPerMin,
      lateSlopeMbPerMin: mem.lateSlopeMbPerMin,
      atPeak: mem.atPeak,
      startS,
    },
    B4: {
      value: cold.totalS,
      unit: `s from opening /login to the wall's first full map (snapshot over Socket.IO, incidents included), real server, ${preset} world`,
      baseline: null,
      target: TARGET.firstFullMapS,
      ratio: null,
      met: cold.totalS <= TARGET.firstFullMapS && coldMb <= TARGET.coldMb,
      note: `login ${cold.loginS} s, /wall to first full map ${cold.wallToMapS} s (snapshot applied ${cold.snapshotAtS ?? '—'} s after /wall opened, in ${cold.snapshotApplyMs ?? '—'} ms); ${round(coldMb, 2)} MB on the wire (HTTP as sent ${round(cold.bytes.http / 1e6, 2)} MB, WebSocket ${round(cold.bytes.websocket / 1e6, 2)} MB); ${cold.incidentsDrawn} incidents drawn`,
      wallToMapS: cold.wallToMapS,
      loginS: cold.loginS,
      coldMb: round(coldMb, 2),
      snapshotApplyMs: cold.snapshotApplyMs,
    },
    B3: {
      value: b.cpuP95Ms,
      unit: `ms main-thread CPU per batch of the real wall page (all its tasks between two batches: store, trails, panels, layers, frames), p95, ${preset} world`,
      baseline: null,
      target: TARGET.batchMs,
      ratio: null,
      met: b.cpuP95Ms === null ? null : b.cpuP95Ms <= TARGET.batchMs,
      note: `p50 ${b.cpuP50Ms ?? '—'} ms (the main thread's own CPU time in its tasks; wall time inside them, waiting for a core included, p50 ${b.busyP50Ms ?? '—'} / p95 ${b.busyP95Ms ?? '—'} ms) over ${b.batches} batches in a ${b.tracedS} s trace, one every ${b.intervalMs ?? '—'} ms (the server meanwhile: ${b.server.sent} batches sent to all its sockets, ${b.server.full} full, ${b.server.slowAcks} acknowledged late, ${b.server.ackGiveUps} walls dropped for not acknowledging, ${b.server.connects} sockets (re)connected, ${b.server.refused} batches refused; the wall's link handled ${pageCountsText(b.page)}); of it the batch handler (store + listeners) p50 ${b.handlerP50Ms ?? '—'} / p95 ${b.handlerP95Ms ?? '—'} ms and the layer build p50 ${b.drawP50Ms ?? '—'} / p95 ${b.drawP95Ms ?? '—'} ms${b.note ? `; ${b.note}` : ''}`,
      p50Ms: b.cpuP50Ms,
      wallP95Ms: b.busyP95Ms,
      handlerP95Ms: b.handlerP95Ms,
      drawP95Ms: b.drawP95Ms,
    },
  };
}

export async function runProductBench(o: { runs: number; log: Log; resultsDir: string }): Promise<void> {
  const { log } = o;
  const preset = arg('preset') ?? 'district';
  // A world other than the preset's is filed under its own name: it never replaces the preset's figures.
  const label = arg('vehicles') ? `${preset}-${arg('vehicles')}-vehicles` : preset;
  const soakS = Number(arg('soak-s') ?? 120);
  if (!fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID')))
    throw new Error('no production build: run `flock /tmp/pingan-browser.lock npm run build` first');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-product-'));
  const dbPath = arg('db') ?? path.join(tmp, 'pingan.db');
  const loadAtStart = os.loadavg().map((x) => round(x, 2));
  const world = arg('db') ? { db: dbPath, reused: true } : seedWorld(dbPath, preset, log);
  createAccounts(dbPath);
  const redisArgs = preset === 'province' ? PROVINCE_REDIS_ARGS : [];
  const simRate = arg('sim-rate') ?? (preset === 'province' ? PROVINCE_SIM_RATE : undefined);
  log(
    `product mode: ${preset} world, ${o.runs} runs of ${soakS} s, the simulator at ${simRate ?? 'its default'} reports/s; ` +
      `load average ${loadAtStart.join(' ')}`,
  );
  const redis = await TestRedis.start(redisArgs);
  const runs: RunResult[] = [];
  try {
    for (let k = 0; k < o.runs; k++)
      runs.push(await oneRun(k, { dbPath, redisUrl: redis.url, preset, soakS, simRate }, log));
  } finally {
    await redis.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const figures = medianFigures(runs.map((r) => r.figures));
  const product = {
    preset,
    world,
    runs: o.runs,
    soakS,
    measuredAt: new Date().toISOString(),
    loadAverage: { atStart: loadAtStart, atEnd: os.loadavg().map((x) => round(x, 2)) },
    figures,
    redis: { args: redisArgs },
    simRate: simRate ?? null,
    perRun: runs.map(({ startS, cold, batch, mem, redisDrops }) => ({
      startS,
      redisDrops,
      cold,
      batch,
      mem: { ...mem, samples: mem.samples },
    })),
    medianStartS: median(runs.map((r) => r.startS)),
  };
  fs.mkdirSync(o.resultsDir, { recursive: true });
  fs.writeFileSync(path.join(o.resultsDir, `product-${label}.json`), `${JSON.stringify(product, null, 2)}\n`);
  // Beside the pipeline figures in latest.json: their definitions differ, both are kept.
  const latestFile = path.join(o.resultsDir, 'latest.json');
  if (fs.existsSync(latestFile)) {
    const latest = JSON.parse(fs.readFileSync(latestFile, 'utf8')) as Record<string, unknown>;
    const byPreset = (latest.product ?? {}) as Record<string, unknown>;
    byPreset[label] = {
      measuredAt: product.measuredAt,
      runs: o.runs,
      loadAverage: product.loadAverage,
      figures,
    };
    latest.product = byPreset;
    fs.writeFileSync(latestFile, `${JSON.stringify(latest, null, 2)}\n`);
  }
  printTable(figures);
  log(`wrote bench/results/product-${label}.json and latest.json's product.${label}`);
}
