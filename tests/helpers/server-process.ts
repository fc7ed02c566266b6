import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './redis-server';

export interface ServerProcess {
  url: string;
  port: number;
  dbPath: string;
  logs: string[];
  /** Restarts on the same port and database (after a stop or kill). */
  restart(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
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
 * what a user runs, so the browser tests exercise exactly that.
 */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-srv-'));
  const dbPath = env.DATABASE_PATH ?? path.join(dir, 'pingan.db');
  const url = `http://127.0.0.1:${port}`;
  const logs: string[] = [];
  let proc: ChildProcess;
  const launch = async () => {
    proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_PATH: dbPath,
        LOG_LEVEL: 'info',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      logs.push(d.toString());
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
    restart: launch,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      await exited;
    },
  };
}
