/**
 * Drives one pipeline (packed or naive) through a series of offered rates with real processes: Redis,
 * producer, server, N subscribers. Returns one point per rate for the curves and the B1/B2/B5 figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MALLOC_ENV } from '../../server/process/malloc-env';
import { BenchChild, type LoopDelay } from '../lib/child';
import type { BenchMode } from '../lib/modes';
import { machineBusyS, mainThreadRunWaitS, processCpuS } from '../lib/proc-stat';

export type Pipeline = 'packed' | 'naive';

export interface PipelineOptions {
  redisUrl: string;
  /** For Redis's CPU share of the window (null: not read). */
  redisPid: number | null;
  fleet: number;
  clients: number;
  rates: number[];
  warmupMs: number;
  measureMs: number;
  /** After the producer stops: how long the latest state may take to arrive and still count as delivered. */
  settleMs: number;
  /** Extra environment of the server process (B7ingest: HISTORY_ENABLED). */
  serverEnv?: Record<string, string>;
  /** Server processes sharing the walls (default 1). */
  servers?: number;
}

export interface RatePoint {
  pipeline: Pipeline;
  offered: number;
  /** What the generator actually published per second (it can fall behind on a busy machine). */
  published: number;
  /** Position updates received per second per client, during the window. */
  receivedPerClient: number;
  delivered: number;
  p50: number;
  p99: number;
  maxAge: number;
  bytesPerUpdate: number;
  serverCpuPct: number;
  serverRssMb: number;
  producerCpuPct: number;
  subscribersCpuPct: number;
  disconnected: number;
  /**
   * What limits the rate on a shared machine (null where /proc could not be read): all cores busy (2 cores =
   * 200 %), Redis's own CPU, and the share of the window the server's event loop was runnable but waiting
   * for a core.
   */
  machineCpuPct: number | null;
  redisCpuPct: number | null;
  serverRunWaitPct: number | null;
  /** How late the server's timers (the tick among them) ran, over the window. */
  serverLoopDelay: LoopDelay;
  /** Times Redis dropped the server's subscription in the window (its backlog passed the output-buffer limit). */
  subscriptionDrops: number;
  /**
   * p99 of the part of an update's age after the server built its batch (socket, kernel, the walls' turn on
   * the cores); p99 minus this is roughly the server side's share. Null for the naive pipeline (no batches).
   */
  p99AfterSend: number | null;
}

interface Sample {
  cpuS: number;
  rssMb: number;
  at: number;
  vehicles?: number;
  busReconnects?: number;
}
interface WindowStats {
  updates: number;
  bytesPerUpdate: number;
  p50: number;
  p99: number;
  max: number;
  afterSendP99: number | null;
  disconnected: number;
  timeline?: TimelineSlot[];
}

/** 100 ms of a timeline: updates, their p99 and max age, the oldest in a batch not flagged as lagging. */
export interface TimelineSlot {
  tMs: number;
  count: number;
  p99: number;
  max: number;
  liveMax?: number;
  /** p99 over the 1 s window this slot starts (B5's recovery test). */
  p99Window?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cpuPct = (a: Sample, b: Sample) => (100 * (b.cpuS - a.cpuS)) / ((b.at - a.at) / 1000);

export interface Rig {
  server: BenchChild;
  /** Further server processes sharing the walls (scale-out): their CPU counts in serverCpuPct. */
  others?: BenchChild[];
  producer: BenchChild;
  subs: BenchChild;
  serverUrl: string;
  clients: number;
  redisPid: number | null;
  /** Time each wall took from connecting to holding its snapshot. */
  snapshotMs: number[];
  tmp: string;
  stop(): Promise<void>;
}

/**
 * Starts server, producer and subscribers; for packed, registers the whole fleet before walls connect.
 * `o.servers` (default 1) server processes on the same Redis share the walls, spread evenly (issue 19).
 */
export async function startRig(
  pipeline: Pipeline,
  o: PipelineOptions,
  log: (s: string) => void,
): Promise<Rig> {
  const env = { REDIS_URL: o.redisUrl };
  // BENCH_PROFILE_DIR=/tmp/prof writes a V8 CPU profile of the server (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE_DIR;
  const servers = Array.from(
    { length: o.servers ?? 1 },
    (_, k) =>
      new BenchChild(
        `${pipeline}-server${k === 0 ? '' : `-${k + 1}`}`,
        `bench/pipeline/${pipeline}-server.ts`,
        { ...env, ...MALLOC_ENV, ...o.serverEnv },
        [
          ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
          // BENCH_SERVER_FLAGS='--trace-gc' passes V8/Node flags to the server process only.
          ...(process.env.BENCH_SERVER_FLAGS?.split(/\s+/).filter(Boolean) ?? []),
        ],
      ),
  );
  const server = servers[0]!;
  const producer = new BenchChild('producer', 'bench/pipeline/producer.ts', env);
  const subs = new BenchChild('subscribers', 'bench/pipeline/subscribers.ts');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-bench-'));
  const rig: Rig = {
    server,
    others: servers.slice(1),
    producer,
    subs,
    serverUrl: '',
    clients: o.clients,
    redisPid: o.redisPid,
    snapshotMs: [],
    tmp,
    async stop() {
      await subs.call('close').catch(() => {});
      await Promise.all([
        subs.stop(),
        producer.stop(),
        ...servers.map((x) => x.call('stop').catch(() => {})),
      ]);
      await Promise.all(servers.map((x) => x.stop()));
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
  const urls = (await Promise.all(servers.map((x) => x.call<{ url: string }>('start')))).map((r) => r.url);
  rig.serverUrl = urls[0]!;
  await producer.call('connect', { url: o.redisUrl, fleet: o.fleet });
  if (pipeline === 'packed') {
    const t0 = Date.now();
    await producer.call('register');
    // Redis drops a pub/sub subscriber that falls too far behind; then the fleet is announced again.
    const fewest = async () =>
      Math.min(
        ...(await Promise.all(servers.map((x) => x.call<Sample>('sample')))).map((s) => s.vehicles ?? 0),
      );
    for (let pass = 0; ; pass++) {
      let n = await fewest();
      for (let wait = 0; wait < 10 && n < o.fleet; wait++) {
        await sleep(500);
        n = await fewest();
      }
      if (n >= o.fleet) break;
      if (pass >= 3) throw new Error(`a server registered only ${n} of ${o.fleet}`);
      log(`  a server has ${n} of ${o.fleet} units (Redis dropped it?): announcing the fleet again`);
      await producer.call('register');
    }
    log(`  fleet of ${o.fleet.toLocaleString()} registered in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const t1 = Date.now();
  for (let k = 0; k < urls.length; k++) {
    // An even share of the walls to each server, one server after another.
    const n = Math.floor(o.clients / urls.length) + (k < o.clients % urls.length ? 1 : 0);
    const c = await subs.call<{ snapshotMs: number[] }>('connect', {
      url: urls[k],
      n,
      mode: pipeline,
      fleet: o.fleet,
    });
    rig.snapshotMs.push(...c.snapshotMs);
  }
  log(
    `  ${o.clients} walls connected${urls.length > 1 ? ` to ${urls.length} servers` : ''} with their snapshot in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
  );
  await sleep(500);
  return rig;
}

/** What the packed server's history worker reports (bench/pipeline/packed-server.ts; 0 with history off). */
export interface HistoryStats {
  backlog: number;
  points: number;
  ringDropped: number;
  /** Ordered writes of a bucket still filling (held closed segments passed their bound). */
  partialWrites: number;
  /** pingan_history_memory_bytes by part, MB (empty with history off). */
  memoryMb: Record<string, number>;
}

/** After the fleet registers, history names it (a one-off per unit); a measured window waits for that. */
const HISTORY_CALM_BACKLOG_POINTS = 5_000;
const HISTORY_CALM_MAX_MS = 90_000;

/**
 * Waits until the worker has named the fleet (at start) or written what a burst left in its ring, so no load
 * is measured while history catches up on the one before.
 */
export async function historyCaughtUp(rig: Rig): Promise<void> {
  const t0 = Date.now();
  for (let calm = 0; calm < 2 && Date.now() - t0 < HISTORY_CALM_MAX_MS;) {
    await sleep(1_000);
    const h = await rig.server.call<HistoryStats>('history');
    calm = h.backlog < HISTORY_CALM_BACKLOG_POINTS ? calm + 1 : 0;
  }
}

/** The packed rig with a bench mode's fleet, walls and windows (history/ingest-cost, scale/shared-walls). */
export function startModeRig(
  redis: { url: string; pid: number | null },
  mode: BenchMode,
  extra: Pick<PipelineOptions, 'serverEnv' | 'servers'>,
  log: (s: string) => void,
): Promise<Rig> {
  return startRig(
    'packed',
    {
      redisUrl: redis.url,
      redisPid: redis.pid,
      fleet: mode.fleet,
      clients: mode.clients,
      rates: [],
      warmupMs: mode.warmupMs,
      measureMs: mode.measureMs,
      settleMs: mode.settleMs,
      ...extra,
    },
    log,
  );
}

/** One rate on such a rig, measured with the mode's windows. */
export function measureModeRate(rig: Rig, mode: BenchMode, rate: number) {
  return measureRate(rig, 'packed', {
    rate,
    warmupMs: mode.warmupMs,
    measureMs: mode.measureMs,
    settleMs: mode.settleMs,
    fleet: mode.fleet,
    mode: 'batched',
  });
}

export interface RunSpec {
  rate: number;
  warmupMs: number;
  measureMs: number;
  settleMs: number;
  fleet: number;
  mode: 'batched' | 'naive';
  timeline?: boolean;
  burst?: { atMs: number; forMs: number; factor: number };
}

/** One rate on a running rig: warm up, measure a window, let it settle, check the latest state. */
export async function measureRate(rig: Rig, pipeline: Pipeline, s: RunSpec) {
  const runStart = Date.now();
  let peakRss = 0;
  const poll = setInterval(() => {
    rig.server.call<Sample>('sample').then(
      (x) => (peakRss = Math.max(peakRss, x.rssMb)),
      () => {},
    );
  }, 500);
  const run = rig.producer.call<{ sent: number; elapsedMs: number }>('run', {
    rate: s.rate,
    durationMs: s.warmupMs + s.measureMs,
    mode: s.mode,
    burstAtMs: s.burst ? s.warmupMs + s.burst.atMs : undefined,
    burstMs: s.burst?.forMs,
    burstFactor: s.burst?.factor,
  });
  await sleep(s.warmupMs);
  await rig.subs.call('windowStart', { timeline: s.timeline });
  await rig.server.call('loopReset');
  const others = rig.others ?? [];
  const [sv0, pr0, su0, ...ot0] = await Promise.all(
    [rig.server, rig.producer, rig.subs, ...others].map((c) => c.call<Sample>('sample')),
  );
  const os0 = osSample(rig);
  const produced = await run;
  const win = await rig.subs.call<WindowStats>('windowStop');
  const [sv1, pr1, su1, ...ot1] = await Promise.all(
    [rig.server, rig.producer, rig.subs, ...others].map((c) => c.call<Sample>('sample')),
  );
  const os1 = osSample(rig);
  const serverLoopDelay = await rig.server.call<LoopDelay>('loopDelay');
  clearInterval(poll);
  await sleep(s.settleMs);
  const file = path.join(rig.tmp, 'last-ts.bin');
  await rig.producer.call('dumpLastTs', { file });
  const latest = await rig.subs.call<{ ratio: number; checked: number }>('latest', {
    file,
    sinceTs: runStart,
  });
  const windowS = (sv1!.at - sv0!.at) / 1000;
  const point: RatePoint = {
    pipeline,
    offered: s.rate,
    published: Math.round((produced.sent / produced.elapsedMs) * 1000),
    receivedPerClient: Math.round(win.updates / rig.clients / windowS),
    delivered: latest.ratio,
    p50: win.p50,
    p99: win.p99,
    maxAge: win.max,
    bytesPerUpdate: win.bytesPerUpdate,
    serverCpuPct: cpuPct(sv0!, sv1!) + ot0.reduce((sum, o, k) => sum + cpuPct(o, ot1[k]!), 0),
    serverRssMb: Math.max(peakRss, sv1!.rssMb),
    producerCpuPct: cpuPct(pr0!, pr1!),
    subscribersCpuPct: cpuPct(su0!, su1!),
    disconnected: win.disconnected,
    machineCpuPct: pctOf(os0.machineS, os1.machineS, os0.at, os1.at),
    redisCpuPct: pctOf(os0.redisS, os1.redisS, os0.at, os1.at),
    serverRunWaitPct: pctOf(os0.serverWaitS, os1.serverWaitS, os0.at, os1.at),
    serverLoopDelay,
    subscriptionDrops: (sv1!.busReconnects ?? 0) - (sv0!.busReconnects ?? 0),
    p99AfterSend: win.afterSendP99,
  };
  return { point, timeline: win.timeline };
}

function osSample(rig: Rig) {
  return {
    at: Date.now(),
    machineS: machineBusyS(),
    redisS: rig.redisPid === null ? null : processCpuS(rig.redisPid),
    serverWaitS: mainThreadRunWaitS(rig.server.pid),
  };
}

/** Seconds of a resource used between two samples, as % of the wall time between them (null if unread). */
function pctOf(a: number | null, b: number | null, atA: number, atB: number): number | null {
  return a === null || b === null ? null : Math.round((1e6 * (b - a)) / (atB - atA)) / 10;
}

/** True when a point meets B1's quality bar (the throughput only counts at this quality). */
export function isSustained(p: RatePoint): boolean {
  return p.p99 <= 150 && p.delivered >= 0.999 && p.published >= 0.95 * p.offered && p.disconnected === 0;
}
