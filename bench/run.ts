/**
 * `npm run bench` (full) and `npm run bench -- --quick`: the province-scale figures of DESIGN §5, each next to
 * the naive pipeline's from the same run. Writes bench/results/latest.json and bench/results/curves.svg.
 * `--only=pipeline,browser,bundle` runs a subset (the figures of the others are left out).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestRedis } from '../tests/helpers/redis-server';
import { runBrowserBench, type BrowserResult } from './browser/browser-bench';
import { measureWallFirstLoad, type FirstLoadResult } from './bundle/first-load';
import { FULL, QUICK } from './lib/modes';
import type { RatePoint } from './pipeline/pipeline-bench';
import { runPipelineSuite, type BurstResult, type PipelineSuiteResult } from './pipeline/suite';
import { renderCurves } from './report/chart';
import { buildFigures } from './report/figures';
import { printTable } from './report/table';

const RESULTS_DIR = path.resolve(import.meta.dirname, 'results');
const args = process.argv.slice(2);
const mode = args.includes('--quick') ? QUICK : FULL;
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wants = (part: string) => !only || only.includes(part);
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

async function main(): Promise<void> {
  if (args.includes('--render')) return renderOnly();
  const loadAtStart = loadAvg();
  log(`mode ${mode.name} on ${machine()}; load average ${loadAtStart.join(' ')}`);
  let browser: BrowserResult | null = null;
  let bundle: FirstLoadResult | null = null;
  let pipeline: PipelineSuiteResult | null = null;

  if (wants('browser')) {
    log('browser: B3 apply 100k updates, B4 province cold load (Chromium)');
    browser = await runBrowserBench(
      { applyRuns: mode.name === 'quick' ? 20 : 60, coldRuns: mode.name === 'quick' ? 1 : 3 },
      log,
    );
  }
  if (wants('bundle')) {
    log('bundle: B6 first-load JS of /wall');
    bundle = measureWallFirstLoad(log);
  }
  if (wants('pipeline')) {
    const redis = await TestRedis.start();
    try {
      pipeline = await runPipelineSuite({ url: redis.url, pid: redis.pid }, mode, log);
    } finally {
      await redis.stop();
    }
  }

  const figures = buildFigures(pipeline, browser, bundle, mode.clients);
  const result = {
    machine: machine(),
    mode: mode.name,
    measuredAt: new Date().toISOString(),
    loadAverage: { atStart: loadAtStart, atEnd: loadAvg() },
    durationS: Math.round((Date.now() - t0) / 1000),
    figures,
    curves: pipeline ? { packed: pipeline.packed, naive: pipeline.naive } : undefined,
    bursts: pipeline?.bursts,
    soak: pipeline?.soak,
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
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
