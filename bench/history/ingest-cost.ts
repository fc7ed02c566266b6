/**
 * B7ingest: what position history costs ingest, measured on what the label says. The real server
 * (bench/pipeline/packed-server.ts: createApp over Redis, the production tick) runs the B1 rig (the mode's
 * fleet, 10 walls) twice, with HISTORY_ENABLED=0 and =1 (in alternating order from run to run, so drift on a
 * shared machine falls on both), at the province's steady rate (1,000,000 units every 30 s), at that rate with
 * the B5 burst on top (×10 for 5 s: DESIGN §5 B7 asks for "province scale plus the B1 burst"), and sustained at a
 * B1-level rate. Each figure is the p99 age of an update at the walls with history over without.
 */
import type { BenchMode } from '../lib/modes';
import {
  historyCaughtUp,
  measureModeRate,
  measureRate,
  startModeRig,
  type HistoryStats,
  type RatePoint,
  type Rig,
} from '../pipeline/pipeline-bench';

/** The province's steady telemetry (DESIGN §5 B7: 1 M units each every 30 s). */
export const PROVINCE_RATE = 33_333;
/** Sustained for a whole window: a rate B1 holds on 2 cores, stricter than the burst B7 names. */
export const SUSTAINED_B1_RATE = 300_000;

export type IngestCostLoad = 'steady' | 'burst' | 'sustained';

export interface IngestCostPoint {
  isHistoryOn: boolean;
  load: IngestCostLoad;
  /** The base rate; a burst multiplies it by `burst.factor` for `burst.forMs`. */
  rate: number;
  burst: { factor: number; forMs: number } | null;
  p50: number;
  p99: number;
  delivered: number;
  serverCpuPct: number;
  /** The server's peak RSS over the window: history's open segments and ring are in it. */
  serverRssMb: number;
  /** How late the server's timers (its tick) ran over the window, p99 ms. */
  timersLateP99Ms: number;
  /** Points the history worker recorded over the whole rig's life (0 with history off): proof it was on. */
  historyPoints: number;
  /** Points its ring turned away while this load ran (it fell behind: a burst larger than the ring). */
  ringDropped: number;
}

export interface IngestCostResult {
  fleet: number;
  points: IngestCostPoint[];
}

export async function runIngestCostBench(
  redis: { url: string; pid: number | null },
  mode: BenchMode,
  run: number,
  log: (s: string) => void,
): Promise<IngestCostResult> {
  const points: IngestCostPoint[] = [];
  const order = run % 2 === 0 ? [false, true] : [true, false];
  for (const isHistoryOn of order) {
    log(`history ingest: the real server, history ${isHistoryOn ? 'on' : 'off'}`);
    const rig = await startModeRig(
      redis,
      mode,
      { serverEnv: { HISTORY_ENABLED: isHistoryOn ? '1' : '0' } },
      log,
    );
    try {
      for (const load of ['steady', 'burst', 'sustained'] as const) {
        await historyCaughtUp(rig);
        const before = await rig.server.call<HistoryStats>('history');
        const { point, burst } = await measureLoad(rig, mode, load);
        const h = await rig.server.call<HistoryStats>('history');
        points.push(pointOf(point, load, burst, isHistoryOn, h.points, h.ringDropped - before.ringDropped));
        log(
          `  ${load} ${point.offered.toLocaleString()}/s${burst ? ` ×${burst.factor} for ${burst.forMs / 1000} s` : ''} ` +
            `history ${isHistoryOn ? 'on ' : 'off'}: p50 ${point.p50} ms p99 ${point.p99} ms, ` +
            `delivered ${(point.delivered * 100).toFixed(2)} %, server ${point.serverCpuPct.toFixed(0)} % CPU ${Math.round(point.serverRssMb)} MB, ` +
            `timers late p99 ${point.serverLoopDelay.p99Ms} ms; history points ${h.points.toLocaleString()}, ` +
            `turned away by its ring ${(h.ringDropped - before.ringDropped).toLocaleString()}`,
        );
      }
    } finally {
      await rig.stop();
    }
  }
  return { fleet: mode.fleet, points };
}

/**
 * A burst is measured as B5 runs it (the mode's before, burst and after windows), its p99 taken over the whole
 * window: the burst's updates are most of them.
 */
async function measureLoad(rig: Rig, mode: BenchMode, load: IngestCostLoad) {
  if (load !== 'burst') {
    const rate = load === 'steady' ? PROVINCE_RATE : SUSTAINED_B1_RATE;
    return { point: (await measureModeRate(rig, mode, rate)).point, burst: null };
  }
  const b = mode.burst;
  const { point } = await measureRate(rig, 'packed', {
    rate: PROVINCE_RATE,
    warmupMs: mode.warmupMs,
    measureMs: b.beforeMs + b.burstMs + b.afterMs,
    settleMs: mode.settleMs,
    fleet: mode.fleet,
    mode: 'batched',
    burst: { atMs: b.beforeMs, forMs: b.burstMs, factor: b.factor },
  });
  return { point, burst: { factor: b.factor, forMs: b.burstMs } };
}

function pointOf(
  p: RatePoint,
  load: IngestCostLoad,
  burst: IngestCostPoint['burst'],
  isHistoryOn: boolean,
  historyPoints: number,
  ringDropped: number,
): IngestCostPoint {
  return {
    isHistoryOn,
    load,
    rate: p.offered,
    burst,
    p50: p.p50,
    p99: p.p99,
    delivered: p.delivered,
    serverCpuPct: Math.round(p.serverCpuPct),
    serverRssMb: Math.round(p.serverRssMb),
    timersLateP99Ms: p.serverLoopDelay.p99Ms,
    historyPoints,
    ringDropped,
  };
}
