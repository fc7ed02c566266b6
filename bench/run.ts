/**
 * `npm run bench` (full) and `npm run bench -- --quick`: the province-scale figures of DESIGN §5, each next to
 * the naive pipeline's from the same run. Writes bench/results/latest.json and bench/results/curves.svg.
 * `--only=pipeline,browser,bundle,cost,history,replay,transport,scale` runs a subset (the figures of the others are left out).
 * Every figure is the median of `--runs=N` whole runs (default 3), with min and max beside it.
 * `--product` measures the real product instead (bench/product/product-bench.ts), `--soak` leaves it running for
 * hours under the simulator at 20× time (bench/product/soak.ts).
 * `--merge` puts a partial run's figures into latest.json in place of those parts' older ones, and
 * `--merge=FILE` does so for a partial result already written (bench/report/merge.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestRedis } from '../tests/helpers/redis-server';
import { runBrowserBench, type BrowserResult } from './browser/browser-bench';
import { measureWallFirstLoad, type FirstLoadResult } from './bundle/first-load';
import { runHistoryBench, type HistoryBenchResult } from './history/history-bench';
import { assignFigures, runAssignBench, type AssignBenchResult } from './scale/assign-bench';
import { runSharedWallsBench, sharedWallsFigures, type SharedWallsResult } from './scale/shared-walls';
import {
  runWallsPerProcessBench,
  wallsPerProcessFigures,
  type WallsPerProcessResult,
} from './scale/walls-per-process';
import { runDistrictHourBench, type DistrictHourResult } from './history/district-hour';
import {
  districtHourFigures,
  historyBenchOptions,
  historyFigures,
  ingestCostFigures,
} from './history/history-figures';
import { runIngestCostBench, type IngestCostResult } from './history/ingest-cost';
import { FULL, QUICK } from './lib/modes';
import type { RatePoint } from './pipeline/pipeline-bench';
import { runPipelineSuite, type BurstResult, type PipelineSuiteResult } from './pipeline/suite';
import { runTransportBench, type TransportRun } from './pipeline/transport-bench';
import { renderCurves } from './report/chart';
import { buildFigures, costFigure, type Figure } from './report/figures';
import { medianFigures } from './report/median';
import { runCostBench, type CostResult } from './pipeline/cost-bench';
import { runProductBench } from './product/product-bench';
import { runSoakBench } from './product/soak';
import { mergeIntoLatest, type BenchResult } from './report/merge';
import { printTable } from './report/table';

const RESULTS_DIR = path.resolve(import.meta.dirname, 'results');
const args = process.argv.slice(2);
const mode = args.includes('--quick') ? QUICK : FULL;
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wants = (part: string) => !only || only.includes(part);
/** Every figure is the median of this many whole runs (`--runs=1` for a quick look). */
const runs = Math.max(
  1,
  Number(args.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 3) || 3,
);
const t0 = Date.now();
const log = (s: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);

function machine(): string {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.versions.node}`;
}
const loadAvg = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

/** `--render`: redraws curves.svg from latest.json (after a chart change, without measuring again). */
function renderOnly(): void {
  const r = JSON.parse(fs.readFileSync(path.join(RESULTS_DIR, 'latest.json'), 'utf8')) as {
    machine: string;
    mode: string;
    curves: { packed: RatePoint[]; naive: RatePoint[] };
    bursts: BurstResult[];
  };
  const title = `Pingan Wall pipeline — ${r.mode} run, ${r.machine.split(',')[0]}`;
  fs.writeFileSync(
    path.join(RESULTS_DIR, 'curves.svg'),
    // machine() starts with the core count.
    renderCurves(
      r.curves.packed,
      r.curves.naive,
      r.bursts,
      title,
      parseInt(r.machine, 10) || os.cpus().length,
    ),
  );
}

interface RunParts {
  browser: BrowserResult | null;
  bundle: FirstLoadResult | null;
  pipeline: PipelineSuiteResult | null;
  history: HistoryBenchResult | null;
  ingestCost: IngestCostResult | null;
  replay: DistrictHourResult | null;
  transport: TransportRun[] | null;
  cost: CostResult | null;
  scale: AssignBenchResult | null;
  sharedWalls: SharedWallsResult | null;
  wallsPerProcess: WallsPerProcessResult | null;
  figures: Record<string, Figure>;
}

/** One whole run of the selected parts. The bundle's size does not vary: it is measured in the first run only. */
async function runOnce(k: number): Promise<RunParts> {
  const r: RunParts = {
    browser: null,
    bundle: null,
    pipeline: null,
    history: null,
    ingestCost: null,
    replay: null,
    transport: null,
    cost: null,
    scale: null,
    sharedWalls: null,
    wallsPerProcess: null,
    figures: {},
  };
  if (wants('browser')) {
    log('browser: B3 apply 100k updates, B4 province cold load (Chromium)');
    r.browser = await runBrowserBench(
      { applyRuns: mode.name === 'quick' ? 20 : 60, coldRuns: mode.name === 'quick' ? 1 : 3 },
      log,
    );
  }
  if (wants('bundle') && k === 0) {
    log('bundle: B6 first-load JS of /wall');
    r.bundle = measureWallFirstLoad(log);
  }
  if (wants('pipeline')) {
    const redis = await TestRedis.start();
    try {
      r.pipeline = await runPipelineSuite({ url: redis.url, pid: redis.pid }, mode, log);
    } finally {
      await redis.stop();
    }
  }
  if (wants('cost')) {
    log('cost: B1c server CPU per 1 M updates/s, server pinned to its own core (taskset)');
    r.cost = await runCostBench(mode, log);
  }
  if (wants('transport')) {
    log('transport: one 600k-report burst over pub/sub and over streams, Redis defaults');
    r.transport = await runTransportBench(log);
  }
  if (wants('history')) {
    log('history: B7 write (bytes, CPU), B8 track and frame');
    r.history = await runHistoryBench(historyBenchOptions(mode.name), log);
    log('history: B7ingest, the real server with history off and on under the pipeline load');
    const redis = await TestRedis.start();
    try {
      r.ingestCost = await runIngestCostBench({ url: redis.url, pid: redis.pid }, mode, k, log);
    } finally {
      await redis.stop();
    }
  }
  if (wants('replay')) {
    log('replay: B8 a district hour loaded into the wall (the app + Chromium)');
    r.replay = await runDistrictHourBench(log);
  }
  if (wants('scale')) {
    log(
      'scale: S1 assignments through 3 server processes on one SQLite file and on PostgreSQL, S2 the B1 rig on 2 processes (issue 19)',
    );
    r.scale = await runAssignBench(log);
    const redis = await TestRedis.start();
    try {
      r.sharedWalls = await runSharedWallsBench({ url: redis.url, pid: redis.pid }, mode, log);
      r.wallsPerProcess = await runWallsPerProcessBench({ url: redis.url, pid: redis.pid }, mode, log);
    } finally {
      await redis.stop();
    }
  }
  r.figures = {
    ...buildFigures(r.pipeline, r.browser, r.bundle, mode.clients),
    ...(r.cost ? { B1c: costFigure(r.cost) } : {}),
    ...(r.history ? historyFigures(r.history) : {}),
    ...(r.ingestCost ? ingestCostFigures(r.ingestCost) : {}),
    ...(r.replay ? districtHourFigures(r.replay) : {}),
    ...(r.scale ? assignFigures(r.scale) : {}),
    ...(r.sharedWalls ? sharedWallsFigures(r.sharedWalls) : {}),
    ...(r.wallsPerProcess ? wallsPerProcessFigures(r.wallsPerProcess) : {}),
  };
  return r;
}

async function main(): Promise<void> {
  if (args.includes('--render')) return renderOnly();
  if (args.includes('--product')) return runProductBench({ runs, log, resultsDir: RESULTS_DIR });
  if (args.includes('--soak')) return runSoakBench({ log, resultsDir: RESULTS_DIR });
  const mergeFile = args.find((a) => a.startsWith('--merge='))?.slice('--merge='.length);
  if (mergeFile) {
    const partial = JSON.parse(fs.readFileSync(mergeFile, 'utf8')) as BenchResult;
    const keys = mergeIntoLatest(path.join(RESULTS_DIR, 'latest.json'), partial);
    return log(`merged ${keys.join(', ')} (measured ${partial.measuredAt}) into results/latest.json`);
  }
  const loadAtStart = loadAvg();
  log(`mode ${mode.name}, ${runs} runs, on ${machine()}; load average ${loadAtStart.join(' ')}`);
  const all: RunParts[] = [];
  for (let k = 0; k < runs; k++) {
    if (runs > 1) log(`run ${k + 1} of ${runs}`);
    all.push(await runOnce(k));
    if (runs > 1) printTable(all[k]!.figures);
  }
  const figures = medianFigures(all.map((r) => r.figures));
  // Curves, bursts and soak come from the run whose B1 is the median one (the last run without B1).
  const b1 = figures.B1?.value;
  const shown = all.find((r) => r.figures.B1 && r.figures.B1.value === b1) ?? all.at(-1)!;
  const pipeline = shown.pipeline;
  const result = {
    machine: machine(),
    mode: mode.name,
    runs,
    measuredAt: new Date().toISOString(),
    loadAverage: { atStart: loadAtStart, atEnd: loadAvg() },
    durationS: Math.round((Date.now() - t0) / 1000),
    figures,
    curves: pipeline ? { packed: pipeline.packed, naive: pipeline.naive } : undefined,
    bursts: pipeline?.bursts,
    soak: pipeline?.soak,
    cost: all.map((r) => r.cost).filter((c) => c !== null),
    history: shown.history ?? undefined,
    ingestCost: all.map((r) => r.ingestCost).filter((c) => c !== null),
    sharedWalls: all.map((r) => r.sharedWalls).filter((c) => c !== null),
    replay: shown.replay ?? undefined,
    transport: shown.transport ?? undefined,
  };
  // A partial run (--only) never replaces the committed figures: it goes to the ignored tmp/ folder.
  const dir = only ? path.join(RESULTS_DIR, 'tmp') : RESULTS_DIR;
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, only ? `partial-${mode.name}.json` : 'latest.json');
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  if (pipeline) {
    const title = `Pingan Wall pipeline — ${mode.name} run, ${mode.clients} walls, ${mode.fleet.toLocaleString()} units, ${machine().split(',')[0]}`;
    fs.writeFileSync(
      path.join(dir, 'curves.svg'),
      renderCurves(pipeline.packed, pipeline.naive, pipeline.bursts, title, os.cpus().length),
    );
  }
  printTable(figures);
  log(
    `wrote ${path.relative(process.cwd(), out)}; load average at end ${result.loadAverage.atEnd.join(' ')}`,
  );
  if (only && args.includes('--merge')) {
    const keys = mergeIntoLatest(path.join(RESULTS_DIR, 'latest.json'), result);
    if (pipeline) fs.copyFileSync(path.join(dir, 'curves.svg'), path.join(RESULTS_DIR, 'curves.svg'));
    log(`merged ${keys.join(', ')} into results/latest.json`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
