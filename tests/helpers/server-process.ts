import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MALLOC_ENV } from '../../server/process/malloc-env';
import { freePort } from './redis-server';

export interface ServerProcess {
  url: string;
  port: number;
  dbPath: string;
  logs: string[];
  /** When the current process logged that it listens (epoch ms; 0 before): "the server is back". */
  listeningAt: number;
  /** Restarts on the same port and database (after a stop or kill). */
  restart(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** How the current process ended, once it has (a crash, a kill); rejects after `timeoutMs`. */
  exited(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the current process is still running (it neither exited nor was killed). */
  isRunning(): boolean;
  /** The JSON log lines the process wrote so far (pino), parsed; other output is skipped. */
  logLines(): Record<string, unknown>[];
}

export interface ServerProcessOptions {
  /**
   * Runs server/main.ts with NODE_ENV=test and no Next pages (server/process/test-hooks.ts): the real
   * process, API and sockets, without a `next build`. Integration tests use this; browser tests do not.
   */
  isApiOnly?: boolean;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

async function waitHealthy(
  url: string,
  proc: ChildProcess,
  logs: string[],
  timeoutMs: number,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (proc.exitCode !== null)
      throw new Error(`server exited (${proc.exitCode}):\n${logs.slice(-30).join('')}`);
    try {
      const r = await fetch(`${url}/api/health`);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server not healthy after ${timeoutMs} ms:\n${logs.slice(-30).join('')}`);
}

/**
 * The built product (`next build` first) as a real child process, on a free port with its own database:
 * what a user runs, so the browser tests exercise exactly that. With `isApiOnly` it is the same
 * server/main.ts without pages (no build needed): integration tests of crashes, kill -9 and ingest use it.
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  options: ServerProcessOptions = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-srv-'));
  const dbPath = env.DATABASE_PATH ?? path.join(dir, 'pingan.db');
  const url = `http://127.0.0.1:${port}`;
  const logs: string[] = [];
  let proc: ChildProcess;
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  const handle: Pick<ServerProcess, 'listeningAt'> = { listeningAt: 0 };
  const mode: Record<string, string> = options.isApiOnly
    ? { NODE_ENV: 'test', PINGAN_TEST_API_ONLY: '1' }
    : { NODE_ENV: 'production' };
  const launch = async () => {
    handle.listeningAt = 0;
    proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...mode,
        // As `npm start` and the systemd unit start it.
        ...MALLOC_ENV,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_PATH: dbPath,
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = proc;
    exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const keep = (d: Buffer) => {
      const text = d.toString();
      if (!handle.listeningAt && text.includes('"msg":"Pingan Wall is up"')) handle.listeningAt = Date.now();
      logs.push(text);
      if (logs.length > 2000) logs.splice(0, 1000); // bound: a long test must not hoard output
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    await waitHealthy(url, proc, logs, 90_000);
  };
  await launch();
  return {
    url,
    port,
    dbPath,
    logs,
    get listeningAt() {
      return handle.listeningAt;
    },
    restart: launch,
    exited(timeoutMs = 30_000) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`server still running after ${timeoutMs} ms`)), timeoutMs);
      });
      return Promise.race([exit, late]).finally(() => clearTimeout(timer));
    },
    isRunning: () => proc.exitCode === null && proc.signalCode === null,
    logLines() {
      return logs
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return []; // a line split across chunks still being written
          }
        });
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      await exited;
    },
  };
}
