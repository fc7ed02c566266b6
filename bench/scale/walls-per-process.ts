/**
 * Issue 19, walls per process: how many walls one server process serves at the province's steady rate
 * (1 M units every 10 s = 100,000 updates/s), adding walls to one running B1 rig: 10, 50, 100, then 200 (it stops at the first step not held). A
 * wall costs the server its share of each batch's send (the batch is encoded once per scope), so the figure
 * is the most walls held and the server's CPU at each step, from which a centre sizes its processes. The
 * simulated walls run in one process on the same two cores, so the step that fails may be theirs: their CPU
 * is in the note.
 */
import type { BenchMode } from '../lib/modes';
import type { Figure } from '../report/figures';
import { measureModeRate, startModeRig, type RatePoint } from '../pipeline/pipeline-bench';

export const WALLS_RATE = 100_000;
export const WALL_STEPS = [10, 50, 100, 200];
/** DESIGN §5 B1: held at p99 ≤ 150 ms with ≥ 99.9 % of the latest state delivered. */
const P99_TARGET_MS = 150;
const DELIVERED_MIN = 0.999;

export interface WallsPerProcessResult {
  fleet: number;
  rate: number;
  steps: { walls: number; point: RatePoint }[];
}

const holds = (p: RatePoint) =>
  p.p99 <= P99_TARGET_MS && p.delivered >= DELIVERED_MIN && p.disconnected === 0;

export async function runWallsPerProcessBench(
  redis: { url: string; pid: number | null },
  mode: BenchMode,
  log: (s: string) => void,
): Promise<WallsPerProcessResult> {
  const out: WallsPerProcessResult = { fleet: mode.fleet, rate: WALLS_RATE, steps: [] };
  log(
    `scale: walls per process, one server at ${WALLS_RATE.toLocaleString()}/s, walls ${WALL_STEPS.join(' → ')}`,
  );
  const rig = await startModeRig(redis, { ...mode, clients: WALL_STEPS[0]! }, {}, log);
  try {
    for (const walls of WALL_STEPS) {
      if (walls > rig.clients) {
        await rig.subs.call('connect', {
          url: rig.serverUrl,
          n: walls - rig.clients,
          mode: 'packed',
          fleet: mode.fleet,
        });
        rig.clients = walls;
      }
      const { point } = await measureModeRate(rig, mode, WALLS_RATE);
      out.steps.push({ walls, point });
      log(
        `  ${walls} walls: p50 ${point.p50} ms p99 ${point.p99} ms, delivered ${(point.delivered * 100).toFixed(2)} %, ` +
          `server ${point.serverCpuPct.toFixed(0)} % CPU, walls ${point.subscribersCpuPct.toFixed(0)} % CPU`,
      );
      if (!holds(point)) break;
    }
  } finally {
    await rig.stop();
  }
  return out;
}

export function wallsPerProcessFigures(r: WallsPerProcessResult): Record<string, Figure> {
  const held = r.steps.filter((s) => holds(s.point));
  const most = Math.max(0, ...held.map((s) => s.walls));
  const first = r.steps[0];
  const step = (s: { walls: number; point: RatePoint }) =>
    `${s.walls} walls: p99 ${s.point.p99} ms, delivered ${(s.point.delivered * 100).toFixed(2)} %, server ${Math.round(s.point.serverCpuPct)} % CPU, walls ${Math.round(s.point.subscribersCpuPct)} % CPU`;
  return {
    S3walls: {
      value: most,
      unit: `walls one server process holds at ${r.rate.toLocaleString()} position updates/s (p99 ≤ ${P99_TARGET_MS} ms, ≥ 99.9 % delivered; of ${WALL_STEPS.join(', ')})`,
      baseline: first && holds(first.point) ? first.walls : 0,
      // No target is set for it: the figure sizes a deployment (walls ÷ this = processes).
      target: 0,
      ratio: null,
      met: null,
      note:
        `${r.fleet.toLocaleString()} units; ${r.steps.map(step).join('; ')}. The walls are simulated in one ` +
        `process on the same 2 cores as the server, Redis and the producer`,
    },
  };
}
