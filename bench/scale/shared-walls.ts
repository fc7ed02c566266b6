/**
 * Issue 19, scale-out: the B1 pipeline with 2 server processes sharing the 10 walls (5 each), beside one
 * process holding all 10, on the same Redis, fleet and rates in the same run. Every process consumes all the
 * telemetry (any wall may connect to any of them), so on one host a second process adds its ingest, not
 * capacity: what it buys is that a process can die (tests/integration/ha-failover.test.ts). Across hosts each
 * process has its own cores, and the figure that says what one holds is B1.
 */
import type { BenchMode } from '../lib/modes';
import type { Figure } from '../report/figures';
import { measureModeRate, startModeRig, type RatePoint } from '../pipeline/pipeline-bench';

/** The province's steady 100 k/s (1 M units every 10 s) and two rates B1 reaches on 2 cores. */
export const SHARED_WALLS_RATES = [100_000, 300_000, 500_000];
/** DESIGN §5 B1: the pipeline holds a rate at p99 ≤ 150 ms with ≥ 99.9 % of the latest state delivered. */
const P99_TARGET_MS = 150;
const DELIVERED_MIN = 0.999;

export interface SharedWallsResult {
  fleet: number;
  clients: number;
  /** One process, all walls (the baseline), and two sharing them, at each rate. */
  single: RatePoint[];
  shared: RatePoint[];
}

export async function runSharedWallsBench(
  redis: { url: string; pid: number | null },
  mode: BenchMode,
  log: (s: string) => void,
): Promise<SharedWallsResult> {
  const out: SharedWallsResult = { fleet: mode.fleet, clients: mode.clients, single: [], shared: [] };
  for (const servers of [1, 2]) {
    log(
      `scale: the B1 rig with ${servers} server process${servers > 1 ? 'es' : ''} sharing ${mode.clients} walls`,
    );
    const rig = await startModeRig(redis, mode, { servers }, log);
    try {
      for (const rate of SHARED_WALLS_RATES) {
        const { point } = await measureModeRate(rig, mode, rate);
        (servers === 1 ? out.single : out.shared).push(point);
        log(
          `  ${rate.toLocaleString()}/s, ${servers} process${servers > 1 ? 'es' : ''}: p50 ${point.p50} ms p99 ${point.p99} ms, ` +
            `delivered ${(point.delivered * 100).toFixed(2)} %, servers ${point.serverCpuPct.toFixed(0)} % CPU`,
        );
      }
    } finally {
      await rig.stop();
    }
  }
  return out;
}

const holds = (p: RatePoint) =>
  p.p99 <= P99_TARGET_MS && p.delivered >= DELIVERED_MIN && p.disconnected === 0;
/** The highest rate held, 0 if none. */
const heldRate = (points: RatePoint[]) => Math.max(0, ...points.filter(holds).map((p) => p.offered));

export function sharedWallsFigures(r: SharedWallsResult): Record<string, Figure> {
  const side = (p: RatePoint) =>
    `${p.offered.toLocaleString()}/s p99 ${p.p99} ms, delivered ${(p.delivered * 100).toFixed(2)} %, CPU ${Math.round(p.serverCpuPct)} %`;
  const two = heldRate(r.shared);
  const one = heldRate(r.single);
  return {
    S2walls: {
      value: two,
      unit: `position updates/s the B1 pipeline holds (p99 ≤ ${P99_TARGET_MS} ms, ≥ 99.9 % delivered) with 2 server processes sharing ${r.clients} walls on one host`,
      baseline: one,
      // No target of its own: on one 2-core host the figure says what a second process costs; B1 is the target.
      target: 0,
      ratio: one > 0 ? Math.round((two / one) * 100) / 100 : null,
      met: null,
      note:
        `${r.fleet.toLocaleString()} units, ${r.clients} walls (${Math.ceil(r.clients / 2)} and ${Math.floor(r.clients / 2)}); ` +
        `2 processes (servers' CPU summed): ${r.shared.map(side).join('; ')}. 1 process (baseline): ${r.single.map(side).join('; ')}. ` +
        `Each process consumes all the telemetry, so two on one host do the ingest twice`,
    },
  };
}
