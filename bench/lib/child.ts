import { spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Bench parts run as separate processes (producer, server, subscribers) so that each one's CPU and memory are
 * its own, as in production. They talk to the orchestrator over Node's IPC channel: request → one reply.
 */
export interface ChildRequest {
  id: number;
  op: string;
  args?: unknown;
}
export interface ChildReply {
  id: number;
  ok: boolean;
  data?: unknown;
  error?: string;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

export class BenchChild {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly proc: ChildProcess;

  constructor(
    readonly name: string,
    file: string,
    env: Record<string, string> = {},
    execArgv: string[] = [],
  ) {
    this.proc = spawn(process.execPath, [...execArgv, '--import', 'tsx', path.join(ROOT, file)], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'error', ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (m: ChildReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.data);
      else p.reject(new Error(`${name}: ${m.error}`));
    });
    this.proc.on('exit', (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`${name} exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  call<T = unknown>(op: string, args?: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ id, op, args } satisfies ChildRequest);
    });
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const force = setTimeout(() => p.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(force);
  }
}

type Handler = (args: never) => unknown;

/** Event-loop delay resolution: a late tick shows up to within this. */
const LOOP_DELAY_RESOLUTION_MS = 5;

/** How late this process's timers ran since `loopReset` (a late timer is a late tick, for the server). */
export interface LoopDelay {
  p99Ms: number;
  maxMs: number;
}

function loopDelayOps(): Record<string, Handler> {
  // Sampled only in a child asked for it (the server): the others share the cores with what they measure.
  let h: ReturnType<typeof monitorEventLoopDelay> | null = null;
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  return {
    loopReset: () => {
      if (!h) {
        h = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
        h.enable();
      }
      h.reset();
    },
    // The histogram counts the delay beyond the sampling timer's own period.
    loopDelay: (): LoopDelay => ({ p99Ms: ms(h?.percentile(99) ?? 0), maxMs: ms(h?.max ?? 0) }),
  };
}

/** Child side: answers the orchestrator's requests with the named handlers (and the event-loop delay ops). */
export function serveParent(own: Record<string, Handler>): void {
  const handlers = { ...loopDelayOps(), ...own };
  process.on('message', (m: ChildRequest) => {
    const h = handlers[m.op];
    const reply = (r: Omit<ChildReply, 'id'>) => process.send?.({ id: m.id, ...r });
    if (!h) {
      reply({ ok: false, error: `unknown op ${m.op}` });
      return;
    }
    Promise.resolve()
      .then(() => h(m.args as never))
      .then(
        (data) => reply({ ok: true, data }),
        (err: Error) => reply({ ok: false, error: err.stack ?? String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  // Exit (rather than die by the signal) so that --cpu-prof can write its profile.
  process.on('SIGTERM', () => process.exit(0));
}

/** What a process's RSS is made of (Linux /proc/<pid>/status, MB; null elsewhere or once it has exited). */
export interface RssParts {
  /** The process's own memory: JS heap, buffers, typed arrays, native allocations. */
  anonMb: number;
  /** Pages of mapped files (SQLite's mmap of the database): the kernel's page cache, reclaimable. */
  fileMb: number;
  shmemMb: number;
}

/** Read by the orchestrator from outside, so the measured process does no extra work for it. */
export function rssPartsOf(pid: number): RssParts | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const r = { anonMb: kb('RssAnon') / 1024, fileMb: kb('RssFile') / 1024, shmemMb: kb('RssShmem') / 1024 };
    return Number.isFinite(r.anonMb) ? r : null;
  } catch {
    return null;
  }
}

/** CPU seconds, RSS and JS heap used of this process, for the orchestrator's samples. */
export function processSample(): { cpuS: number; rssMb: number; heapUsedMb: number; at: number } {
  const u = process.cpuUsage();
  const m = process.memoryUsage();
  return {
    cpuS: (u.user + u.system) / 1e6,
    rssMb: m.rss / 2 ** 20,
    heapUsedMb: m.heapUsed / 2 ** 20,
    at: Date.now(),
  };
}
