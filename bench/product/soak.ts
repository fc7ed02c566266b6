/**
 * `npm run bench -- --soak [--hours=4] [--speedup=20] [--preset=district] [--sample-s=60] [--db=seeded.db]`
 * (not in CI; needs `.next` from `npm run build`): days unattended, compressed. The real product
 * (server/main.ts with built pages, a private Redis, a seeded world) runs under the simulator at `speedup`×
 * time (vehicles move, incidents arrive and are handled that much faster: 4 hours at 20× are 80 simulated
 * hours) with one wall signed in in Chromium. Every `sample-s` it reads:
 * - the server's RSS, JS heap (its /metrics) and open file descriptors (/proc/<pid>/fd);
 * - the wall's JS heap after a forced GC and its DOM node count (DevTools protocol), and how many batches it
 *   applied since the last sample (a wall that froze or lost its link applies none);
 * - the SQLite database and its WAL on disk (the history worker writes the same file).
 * Each series gets its trend per hour after a warm-up (least squares), written to results/soak-<preset>.json
 * and drawn in results/soak.svg. A series is flat when its trend moves it by no more than a tenth of its mean
 * over the whole steady part (MEM's 5 % of the peak per 10 min would let any straight line pass over hours).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as echarts from 'echarts';
import type { Browser, CDPSession } from 'playwright-core';
import { launchBrowser } from '../../tests/helpers/browser';
import { freePort, TestRedis } from '../../tests/helpers/redis-server';
import { leastSquaresSlope } from '../lib/regression';
import {
  arg,
  coldLoad,
  createAccounts,
  heapUsedMb,
  OBSERVER_SCRIPT,
  round,
  rssMbOf,
  seedWorld,
  sleep,
  spawnServer,
  spawnSimulator,
  stopProc,
  waitHealthy,
} from './product-bench';

type Log = (s: string) => void;

/** Samples before this share of the soak are warm-up (caches filling, Next settling): not in the trends. */
const WARMUP_SHARE = 0.1;
/** A series is flat when its trend over the steady part moves it by no more than this share of its mean. */
const FLAT_SHARE_OF_MEAN = 0.1;

export interface SoakSample {
  /** Real hours since the wall's first full map. */
  tH: number;
  serverRssMb: number | null;
  serverHeapMb: number | null;
  serverFds: number | null;
  wallHeapMb: number | null;
  wallDomNodes: number | null;
  /** Batches the wall applied since the previous sample. */
  wallBatches: number | null;
  dbMb: number;
  walMb: number;
}

/** The series a trend is taken of, with their units. */
const SERIES: { key: keyof SoakSample; label: string; unit: string }[] = [
  { key: 'serverRssMb', label: 'server RSS', unit: 'MB' },
  { key: 'serverHeapMb', label: 'server JS heap used', unit: 'MB' },
  { key: 'serverFds', label: 'server open file descriptors', unit: '' },
  { key: 'wallHeapMb', label: 'wall JS heap after GC', unit: 'MB' },
  { key: 'wallDomNodes', label: 'wall DOM nodes', unit: '' },
  { key: 'dbMb', label: 'SQLite database', unit: 'MB' },
  { key: 'walMb', label: 'SQLite WAL', unit: 'MB' },
];

export interface SoakTrend {
  series: string;
  unit: string;
  first: number | null;
  last: number | null;
  peak: number | null;
  perHour: number | null;
  isFlat: boolean | null;
}

function fdCount(pid: number): number | null {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

const fileMb = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size / 2 ** 20 : 0);

async function wallSample(cdp: CDPSession, page: { evaluate: (s: string) => Promise<unknown> }) {
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const dom = await cdp.send('Memory.getDOMCounters');
    // The observer's buffer is emptied at each read, so it stays far under its bound.
    const batches = (await page.evaluate(
      `(() => { const n = window.__benchUT.filter((e) => e[0] === 'pingan:batch').length; window.__benchUT.length = 0; return n; })()`,
    )) as number;
    return { wallHeapMb: round(heap.usedSize / 2 ** 20), wallDomNodes: dom.nodes, wallBatches: batches };
  } catch {
    return { wallHeapMb: null, wallDomNodes: null, wallBatches: null };
  }
}

export function soakTrends(samples: SoakSample[]): SoakTrend[] {
  const steady = samples.filter((s) => s.tH >= (samples.at(-1)?.tH ?? 0) * WARMUP_SHARE);
  return SERIES.map(({ key, label, unit }) => {
    const pts = steady.flatMap((s) => (s[key] === null ? [] : [[s.tH, s[key]] as const]));
    const all = samples.flatMap((s) => (s[key] === null ? [] : [s[key]]));
    const peak = all.length ? Math.max(...all) : null;
    const perHour =
      pts.length >= 3
        ? leastSquaresSlope(
            pts.map((p) => p[0]),
            pts.map((p) => p[1]),
          )
        : null;
    const spanH = pts.length ? pts.at(-1)![0] - pts[0]![0] : 0;
    const mean = pts.reduce((sum, p) => sum + p[1], 0) / Math.max(1, pts.length);
    return {
      series: label,
      unit,
      first: all[0] ?? null,
      last: all.at(-1) ?? null,
      peak: peak === null ? null : round(peak),
      perHour: perHour === null ? null : round(perHour, 2),
      isFlat: perHour === null ? null : perHour * spanH <= FLAT_SHARE_OF_MEAN * mean,
    };
  });
}

/** A panel's left-axis series and right-axis series. */
const SIDE_COLORS = ['#3fc8ff', '#ffb020'];

export function renderSoak(samples: SoakSample[], title: string, speedup: number): string {
  const panels: { name: string; keys: (keyof SoakSample)[] }[] = [
    { name: 'server: RSS (MB, left), JS heap used (MB, right)', keys: ['serverRssMb', 'serverHeapMb'] },
    { name: 'wall: JS heap after GC (MB, left), DOM nodes (right)', keys: ['wallHeapMb', 'wallDomNodes'] },
    { name: 'SQLite: database (MB, left), WAL (MB, right)', keys: ['dbMb', 'walMb'] },
    {
      name: 'server open descriptors (left), wall batches a sample (right)',
      keys: ['serverFds', 'wallBatches'],
    },
  ];
  const grid = panels.map((_, i) => ({
    left: 90 + (i % 2) * 580,
    top: 80 + Math.floor(i / 2) * 340,
    width: 480,
    height: 240,
  }));
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 1200, height: 780 });
  chart.setOption({
    animation: false,
    backgroundColor: '#0b1a33',
    textStyle: { color: '#cfe3ff' },
    title: [
      { text: title, left: 20, top: 12, textStyle: { color: '#e6f1ff', fontSize: 18 } },
      ...panels.map((p, i) => ({
        text: p.name,
        left: grid[i]!.left,
        top: grid[i]!.top - 26,
        textStyle: { color: '#cfe3ff', fontSize: 13, fontWeight: 'normal' },
      })),
    ],
    grid,
    xAxis: grid.map((_, i) => ({
      gridIndex: i,
      type: 'value',
      name: `real h (×${speedup} simulated)`,
      nameLocation: 'middle',
      nameGap: 26,
      axisLabel: { color: '#cfe3ff' },
    })),
    yAxis: panels.flatMap((p, i) =>
      p.keys.map((_, j) => ({
        gridIndex: i,
        type: 'value',
        position: j === 0 ? 'left' : 'right',
        scale: true,
        axisLabel: { color: SIDE_COLORS[j] },
        splitLine: { show: j === 0, lineStyle: { color: '#1d3357' } },
      })),
    ),
    series: panels.flatMap((p, i) =>
      p.keys.map((k, j) => ({
        name: SERIES.find((s) => s.key === k)?.label ?? 'wall batches per sample',
        type: 'line',
        showSymbol: false,
        // Each line in its axis's colour: the panel's title says which is which.
        lineStyle: { color: SIDE_COLORS[j], width: 2 },
        itemStyle: { color: SIDE_COLORS[j] },
        xAxisIndex: i,
        yAxisIndex: panels.slice(0, i).reduce((n, q) => n + q.keys.length, 0) + j,
        data: samples.map((s) => [s.tH, s[k]]),
      })),
    ),
  });
  const svg = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

export async function runSoakBench(o: { log: Log; resultsDir: string }): Promise<void> {
  const { log } = o;
  const preset = arg('preset') ?? 'district';
  const hours = Number(arg('hours') ?? 4);
  const speedup = Number(arg('speedup') ?? 20);
  const sampleMs = Number(arg('sample-s') ?? 60) * 1000;
  if (!fs.existsSync(path.join(import.meta.dirname, '../../.next/BUILD_ID')))
    throw new Error('no production build: run `flock /tmp/pingan-browser.lock npm run build` first');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-soak-'));
  const dbPath = arg('db') ?? path.join(tmp, 'pingan.db');
  log(`soak: ${preset} world, ${hours} h at ${speedup}× simulated time, a sample every ${sampleMs / 1000} s`);
  if (!arg('db')) seedWorld(dbPath, preset, log);
  createAccounts(dbPath);
  const redis = await TestRedis.start();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const serverLogs: string[] = [];
  const simLogs: string[] = [];
  const server = spawnServer(port, { dbPath, redisUrl: redis.url }, serverLogs);
  let sim: ChildProcess | null = null;
  let browser: Browser | null = null;
  const samples: SoakSample[] = [];
  let isDone = false;
  const file = path.join(o.resultsDir, `soak-${preset}.json`);
  const write = (done: boolean) => {
    const trends = soakTrends(samples);
    fs.writeFileSync(
      file,
      `${JSON.stringify({ preset, hours, speedup, sampleS: sampleMs / 1000, done, measuredAt: new Date().toISOString(), trends, samples }, null, 2)}\n`,
    );
    fs.writeFileSync(
      path.join(o.resultsDir, 'soak.svg'),
      renderSoak(
        samples,
        `Pingan Wall soak — ${preset}, ${speedup}× time, ${os.cpus().length} cores`,
        speedup,
      ),
    );
    return trends;
  };
  try {
    await waitHealthy(url, server, serverLogs, 600_000);
    sim = spawnSimulator(
      url,
      { dbPath, redisUrl: redis.url, preset },
      ['--speedup', String(speedup)],
      simLogs,
    );
    await sleep(5_000);
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript(OBSERVER_SCRIPT);
    const cold = await coldLoad(page, url);
    log(`soak: wall's first full map after ${cold.totalS} s`);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.enable');
    const t0 = Date.now();
    const until = t0 + hours * 3_600_000;
    for (let next = t0; next <= until; next += sampleMs) {
      await sleep(Math.max(0, next - Date.now()));
      for (const [name, p, logs] of [
        ['server', server, serverLogs],
        ['simulator', sim, simLogs],
      ] as const)
        if (p.exitCode !== null) throw new Error(`${name} exited:\n${logs.join('').slice(-3000)}`);
      const rss = rssMbOf(server.pid!);
      const s: SoakSample = {
        tH: round((Date.now() - t0) / 3_600_000, 3),
        serverRssMb: rss === null ? null : round(rss),
        serverHeapMb: await heapUsedMb(url).then((h) => (h === null ? null : round(h))),
        serverFds: fdCount(server.pid!),
        ...(await wallSample(cdp, page)),
        dbMb: round(fileMb(dbPath), 2),
        walMb: round(fileMb(`${dbPath}-wal`), 2),
      };
      samples.push(s);
      log(
        `soak ${s.tH.toFixed(2)} h: server RSS ${s.serverRssMb} MB heap ${s.serverHeapMb} MB fds ${s.serverFds}; ` +
          `wall heap ${s.wallHeapMb} MB DOM ${s.wallDomNodes} batches ${s.wallBatches}; DB ${s.dbMb} MB WAL ${s.walMb} MB`,
      );
      // Written as it goes: a soak stopped early still leaves what it saw.
      if (samples.length % 10 === 0) write(false);
    }
    for (const t of write(true))
      log(
        `soak trend ${t.series}: ${t.first} → ${t.last} ${t.unit} (peak ${t.peak}), ${t.perHour ?? '—'} ${t.unit}/h` +
          `${t.isFlat === null ? '' : t.isFlat ? ', flat' : ', GROWING'}`,
      );
    isDone = true;
    log(`wrote ${path.relative(process.cwd(), file)} and results/soak.svg`);
  } finally {
    if (!isDone && samples.length > 0) write(false);
    await browser?.close().catch(() => {});
    await stopProc(sim);
    await stopProc(server);
    await redis.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
