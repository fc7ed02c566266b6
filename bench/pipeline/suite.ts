/**
 * The server-side half of the bench: both pipelines' rate curves (B1, B2), the 10× burst (B5) and the
 * memory soak, each on real processes against one private Redis.
 */
import os from 'node:os';
import type { BenchMode } from '../lib/modes';
import { measureIngestCeiling, type IngestCeiling } from './ingest-ceiling';
import {
  historyCaughtUp,
  type HistoryStats,
  measureRate,
  startRig,
  type Pipeline,
  type RatePoint,
  type Rig,
  type TimelineSlot,
} from './pipeline-bench';
import { rssPartsOf, type processSample } from '../lib/child';
import { leastSquaresSlope } from '../lib/regression';

/** A soak sample: RSS split into the process's own (anonymous) memory and mapped file pages (SQLite's mmap). */
export interface SoakSample {
  tS: number;
  rssMb: number;
  heapUsedMb?: number;
  anonMb?: number | null;
  fileMb?: number | null;
  /** Position history's memory by part (pingan_history_memory_bytes), MB. */
  historyMb?: Record<string, number>;
}

export interface BurstResult {
  pipeline: Pipeline;
  base: number;
  peak: number;
  /**
   * ms after the burst ended until the p99 of every later 1 s window stayed ≤ 150 ms; null when it had not
   * within the watch window.
   */
  recoveryMs: number | null;
  /** The same on single 100 ms slots (two ticks each): stricter, and at the mercy of one late tick. */
  slotRecoveryMs: number | null;
  maxAgeMs: number;
  /** The oldest update in a batch the server did not flag as lagging: the oldest a wall draws as live. */
  maxLiveAgeMs: number;
  timeline: TimelineSlot[];
  burstStartMs: number;
  burstEndMs: number;
}

export interface SoakResult {
  samples: SoakSample[];
  peakRssMb: number;
  /** Least-squares slope over the samples after the first fifth (warm-up), MB per minute. */
  slopeMbPerMin: number;
}

export interface PipelineSuiteResult {
  packed: RatePoint[];
  naive: RatePoint[];
  bursts: BurstResult[];
  soak: SoakResult;
  snapshotMs: number[];
  peakRssMb: number;
  /** Single-core ingest ceiling (JSON.parse + validate + apply, no Redis, no walls): bounds B1 from above. */
  ingestCeiling: IngestCeiling;
}

const INGEST_CEILING_MS = 3_000;

/** p99 age the pipeline must hold (DESIGN §5 B1/B5). */
export const P99_TARGET_MS = 150;

type Log = (s: string) => void;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runPipelineSuite(
  redis: { url: string; pid: number | null },
  m: BenchMode,
  log: Log,
): Promise<PipelineSuiteResult> {
  const opts = (rates: number[]) => ({
    redisUrl: redis.url,
    redisPid: redis.pid,
    fleet: m.fleet,
    clients: m.clients,
    rates,
    warmupMs: m.warmupMs,
    measureMs: m.measureMs,
    settleMs: m.settleMs,
  });
  const spec = { warmupMs: m.warmupMs, measureMs: m.measureMs, settleMs: m.settleMs, fleet: m.fleet };

  const ingestCeiling = await measureIngestCeiling(m.fleet, INGEST_CEILING_MS);
  log(
    `ingest ceiling on one core: ${ingestCeiling.reportsPerS.toLocaleString()} reports/s from bytes, ` +
      `${ingestCeiling.exactReportsPerS.toLocaleString()}/s through JSON.parse (${ingestCeiling.bytesPerReport} B each); ` +
      `byte path allocates ${ingestCeiling.heapBytesPerReport} B of JS heap per report`,
  );
  log(`packed pipeline: ${m.fleet.toLocaleString()} units, ${m.clients} walls`);
  const packed: RatePoint[] = [];
  const bursts: BurstResult[] = [];
  let peakRssMb = 0;
  const rig = await startRig('packed', opts(m.packedRates), log);
  const snapshotMs = rig.snapshotMs;
  let soak: SoakResult;
  try {
    // Naming a province is seconds of the history thread's CPU, once: not part of any rate's window.
    await historyCaughtUp(rig);
    for (const rate of m.packedRates) {
      const { point } = await measureRate(rig, 'packed', { ...spec, rate, mode: 'batched' });
      packed.push(point);
      peakRssMb = Math.max(peakRssMb, point.serverRssMb);
      log(pointLine(point));
      await sleep(1_000);
    }
    bursts.push(await runBurst(rig, 'packed', m.burst.packedBase, m, log));
    soak = await runSoak(rig, m, log);
    peakRssMb = Math.max(peakRssMb, soak.peakRssMb);
  } finally {
    await rig.stop();
  }

  log('naive pipeline (one PUBLISH and one JSON emit per update), a fresh server per rate');
  const naive: RatePoint[] = [];
  for (const rate of m.naiveRates) {
    const r = await startRig('naive', opts([rate]), () => {});
    try {
      const { point } = await measureRate(r, 'naive', { ...spec, rate, mode: 'naive' });
      naive.push(point);
      log(pointLine(point));
    } finally {
      await r.stop();
    }
  }
  const nr = await startRig('naive', opts([m.burst.naiveBase]), () => {});
  try {
    bursts.push(await runBurst(nr, 'naive', m.burst.naiveBase, m, log));
  } finally {
    await nr.stop();
  }
  return { packed, naive, bursts, soak, snapshotMs, peakRssMb, ingestCeiling };
}

const pct = (x: number | null) => (x === null ? '—' : `${x.toFixed(0)}%`);

function pointLine(p: RatePoint): string {
  const k = (n: number) => `${(n / 1000).toFixed(1)}k`;
  return (
    `  ${p.pipeline.padEnd(6)} offered ${k(p.offered).padStart(7)}/s published ${k(p.published).padStart(7)}/s ` +
    `per wall ${k(p.receivedPerClient).padStart(7)}/s delivered ${(p.delivered * 100).toFixed(2)}% ` +
    `p50 ${p.p50} ms p99 ${p.p99} ms${p.p99AfterSend === null ? '' : ` (after the batch left the server: p99 ${p.p99AfterSend} ms)`} ${p.bytesPerUpdate.toFixed(1)} B/upd server ${p.serverCpuPct.toFixed(0)}% CPU ` +
    `${p.serverRssMb.toFixed(0)} MB (producer ${p.producerCpuPct.toFixed(0)}%, walls ${p.subscribersCpuPct.toFixed(0)}%, ` +
    `redis ${pct(p.redisCpuPct)}, machine ${pct(p.machineCpuPct)} of ${os.cpus().length * 100}%); server loop ` +
    `waited for a core ${pct(p.serverRunWaitPct)} of the time, timers late p99 ${p.serverLoopDelay.p99Ms} ms ` +
    `max ${p.serverLoopDelay.maxMs} ms; subscription dropped ${p.subscriptionDrops}×`
  );
}

async function runBurst(
  rig: Rig,
  pipeline: Pipeline,
  base: number,
  m: BenchMode,
  log: Log,
): Promise<BurstResult> {
  const b = m.burst;
  const { timeline = [] } = await measureRate(rig, pipeline, {
    rate: base,
    warmupMs: m.warmupMs,
    measureMs: b.beforeMs + b.burstMs + b.afterMs,
    settleMs: m.settleMs,
    fleet: m.fleet,
    mode: pipeline === 'packed' ? 'batched' : 'naive',
    timeline: true,
    burst: { atMs: b.beforeMs, forMs: b.burstMs, factor: b.factor },
  });
  const burstEnd = b.beforeMs + b.burstMs;
  const lastSlot = timeline[timeline.length - 1]?.tMs ?? 0;
  // Recovered at the start of the first slot after which every slot (or 1 s window) holds p99 within target.
  const recovery = (p99: (s: TimelineSlot) => number, until: number): number | null => {
    let recoveredAt: number | null = burstEnd;
    for (const s of timeline) {
      if (s.tMs + 100 <= burstEnd || s.tMs > until) continue;
      if (p99(s) > P99_TARGET_MS) recoveredAt = null;
      else if (recoveredAt === null) recoveredAt = s.tMs;
    }
    if (lastSlot < burstEnd + b.afterMs - 1_000) return null; // the stream had stopped arriving
    return recoveredAt === null ? null : Math.max(0, recoveredAt - burstEnd);
  };
  const r: BurstResult = {
    pipeline,
    base,
    peak: base * b.factor,
    // Windows that would run past the last slot hold less than 1 s of updates: not judged.
    recoveryMs: recovery((s) => s.p99Window ?? s.p99, lastSlot - 900),
    slotRecoveryMs: recovery((s) => s.p99, lastSlot),
    maxAgeMs: timeline.reduce((x, s) => Math.max(x, s.max), 0),
    // The naive pipeline flags nothing: everything it delivers is drawn as live.
    maxLiveAgeMs: timeline.reduce((x, s) => Math.max(x, s.liveMax ?? s.max), 0),
    timeline,
    burstStartMs: b.beforeMs,
    burstEndMs: burstEnd,
  };
  log(
    `  ${pipeline} burst ${base.toLocaleString()}/s ×${b.factor}: recovered ` +
      `${r.recoveryMs === null ? `not within ${b.afterMs} ms` : `${r.recoveryMs} ms`} after it (1 s windows; ` +
      `100 ms slots: ${r.slotRecoveryMs === null ? 'not' : `${r.slotRecoveryMs} ms`}), oldest update ${r.maxAgeMs} ms, ` +
      `oldest drawn as live ${r.maxLiveAgeMs} ms`,
  );
  return r;
}

async function runSoak(rig: Rig, m: BenchMode, log: Log): Promise<SoakResult> {
  const s = m.soak;
  log(`  soak: ${s.rate.toLocaleString()}/s for ${s.durationMs / 1000} s`);
  const samples: SoakSample[] = [];
  const t0 = Date.now();
  const run = rig.producer.call('run', {
    rate: s.rate,
    durationMs: s.durationMs,
    fleet: m.fleet,
    mode: 'batched',
  });
  let isDone = false;
  void run.finally(() => (isDone = true));
  while (!isDone) {
    const x = await rig.server.call<ReturnType<typeof processSample>>('sample');
    const h = await rig.server.call<HistoryStats>('history');
    const parts = rssPartsOf(rig.server.pid);
    samples.push({
      tS: (Date.now() - t0) / 1000,
      rssMb: x.rssMb,
      heapUsedMb: Math.round(x.heapUsedMb),
      anonMb: parts ? Math.round(parts.anonMb) : null,
      fileMb: parts ? Math.round(parts.fileMb) : null,
      historyMb: h.memoryMb,
    });
    await Promise.race([run, sleep(s.sampleEveryMs)]);
  }
  await run;
  const tail = samples.slice(Math.floor(samples.length / 5));
  const slope = leastSquaresSlope(
    tail.map((p) => p.tS / 60),
    tail.map((p) => p.rssMb),
  );
  const peak = samples.reduce((x, p) => Math.max(x, p.rssMb), 0);
  const last = samples.at(-1);
  log(
    `  soak: peak RSS ${peak.toFixed(0)} MB, trend ${slope.toFixed(1)} MB/min; at the end anonymous ` +
      `${last?.anonMb ?? '—'} MB (JS heap used ${last?.heapUsedMb ?? '—'}), mapped files ${last?.fileMb ?? '—'} MB`,
  );
  return { samples, peakRssMb: peak, slopeMbPerMin: slope };
}
