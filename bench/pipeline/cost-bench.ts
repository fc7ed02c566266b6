/**
 * B1c: what the server costs per update, in CPU-seconds per million position updates delivered to 10 walls
 * (= cores per 1 M updates/s). The server is pinned to core 0 and everything else (producer, walls, Redis,
 * this orchestrator) to core 1 with `taskset`, so the load generators never take the server's core and its
 * CPU time is its own however busy the machine is. CPU time is counted, not throughput: a busy machine
 * stretches the server's wall-clock time, but its CPU-seconds per update stay what the code costs.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { TestRedis } from '../../tests/helpers/redis-server';
import type { BenchMode } from '../lib/modes';
import { historyCaughtUp, measureRate, startRig, type RatePoint, type Rig } from './pipeline-bench';

export interface CostPoint {
  pipeline: 'packed' | 'naive';
  offered: number;
  published: number;
  /** Updates per second each wall received in the window. */
  receivedPerClient: number;
  serverCpuPct: number;
  /** Server CPU-seconds per million updates delivered to every wall (cores per 1 M updates/s). */
  coresPerMUpdatesPerS: number;
  p99: number;
  delivered: number;
  /** Share of the window the server's main thread waited for its own core (someone else's process on it). */
  serverRunWaitPct: number | null;
  machineCpuPct: number | null;
  /**
   * The server kept up: every wall received ≥ 95 % of the published rate and the latest state arrived. Only
   * then is CPU per delivered update what the code costs; a starved server sheds work (Redis drops its
   * subscription) and its CPU per delivered update means nothing.
   */
  keptUp: boolean;
}

export type CostResult =
  | {
      ok: true;
      packed: CostPoint[];
      naive: CostPoint[];
      serverCore: string;
      othersCore: string;
      serverNice: number;
    }
  | { ok: false; reason: string };

/**
 * Rates the pinned server is costed at; the figure is taken at the highest one it kept up with (1 M/s is
 * DESIGN §5's B1 target). The tick's fixed cost weighs on the low ones.
 */
const PACKED_RATES = [100_000, 250_000, 500_000, 1_000_000];
const NAIVE_RATE = 10_000;
const SERVER_CORE = '0';
const OTHERS_CORE = '1';
const SERVER_NICE = -10;

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const pinPid = (pid: number, cpus: string) =>
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });

/**
 * Nice −10 for every thread of the server (root only; left as is otherwise). Pinning alone does not give it
 * its core on a machine shared with other work: with a load average of 15 on 2 cores it got 15–25 % of core
 * 0 and shed reports. Its CPU time per update is what is costed; priority only lets it keep up.
 */
function favour(pid: number): boolean {
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`))
      execFileSync('renice', ['-n', String(SERVER_NICE), '-p', tid], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const costOf = (p: RatePoint): CostPoint => ({
  pipeline: p.pipeline,
  offered: p.offered,
  published: p.published,
  receivedPerClient: p.receivedPerClient,
  serverCpuPct: Math.round(p.serverCpuPct * 10) / 10,
  coresPerMUpdatesPerS:
    p.receivedPerClient > 0
      ? Math.round((p.serverCpuPct / 100 / (p.receivedPerClient / 1e6)) * 1000) / 1000
      : 0,
  p99: p.p99,
  delivered: p.delivered,
  serverRunWaitPct: p.serverRunWaitPct,
  machineCpuPct: p.machineCpuPct,
  // Against what was published: a producer starved on the shared core offers less, which is still costed.
  keptUp: p.delivered >= 0.999 && p.receivedPerClient >= 0.95 * p.published,
});

export async function runCostBench(m: BenchMode, log: (s: string) => void): Promise<CostResult> {
  if (os.cpus().length < 2) return { ok: false, reason: 'needs 2 cores (server on one, load on the other)' };
  if (!hasTaskset()) return { ok: false, reason: 'taskset (util-linux) not found' };
  const all = `0-${os.cpus().length - 1}`;
  const redis = await TestRedis.start();
  pinPid(process.pid, OTHERS_CORE);
  try {
    if (redis.pid !== null) pinPid(redis.pid, OTHERS_CORE);
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
    // Pinned once the fleet is registered and the walls hold their snapshot: that setup burst on one shared
    // core outlasts Redis's pub/sub buffer (the subscription is dropped), and it is not what is costed.
    const pin = (rig: Rig) => {
      pinPid(rig.server.pid, SERVER_CORE);
      isFavoured = favour(rig.server.pid);
      pinPid(rig.producer.pid, OTHERS_CORE);
      pinPid(rig.subs.pid, OTHERS_CORE);
    };
    const spec = { warmupMs: m.warmupMs, measureMs: m.measureMs, settleMs: m.settleMs, fleet: m.fleet };
    const line = (c: CostPoint) =>
      `  ${c.pipeline} pinned, offered ${(c.offered / 1000).toFixed(0)}k/s: ${c.receivedPerClient.toLocaleString()}/s per wall, ` +
      `server ${c.serverCpuPct}% of its core = ${c.coresPerMUpdatesPerS} cores per 1 M updates/s ` +
      `(p99 ${c.p99} ms, delivered ${(c.delivered * 100).toFixed(2)}%, server waited for its core ${c.serverRunWaitPct ?? '—'}%)`;
    let isFavoured = false;
    const packed: CostPoint[] = [];
    const rig = await startRig('packed', opts(PACKED_RATES), log);
    try {
      pin(rig);
      // Naming a province is seconds of the history thread's CPU: not the cost of an update.
      await historyCaughtUp(rig);
      for (const rate of PACKED_RATES) {
        const { point } = await measureRate(rig, 'packed', { ...spec, rate, mode: 'batched' });
        packed.push(costOf(point));
        log(line(packed.at(-1)!));
      }
    } finally {
      await rig.stop();
    }
    const naive: CostPoint[] = [];
    const nr = await startRig('naive', opts([NAIVE_RATE]), () => {});
    try {
      pin(nr);
      const { point } = await measureRate(nr, 'naive', { ...spec, rate: NAIVE_RATE, mode: 'naive' });
      naive.push(costOf(point));
      log(line(naive.at(-1)!));
    } finally {
      await nr.stop();
    }
    return {
      ok: true,
      packed,
      naive,
      serverCore: SERVER_CORE,
      othersCore: OTHERS_CORE,
      serverNice: isFavoured ? SERVER_NICE : 0,
    };
  } finally {
    pinPid(process.pid, all);
    await redis.stop();
  }
}
