/**
 * Several real server processes on one Redis and one system of record (a SQLite file on this host, or a
 * PostgreSQL database), optionally behind the real HAProxy with deploy/haproxy.cfg: what README "Scaling
 * out" tells an operator to run (issue 19).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '@/server/db/open-database';
import { createPgPool, migratePg } from '@/server/db/pg/open-pg';
import { pgSqlDb, sqliteSqlDb, type SqlDb } from '@/server/db/sql-db';
import { createTestPgDatabase, pgUnavailable } from '../helpers/pg';
import { freePort } from '../helpers/redis-server';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

export const HA_SESSION_SECRET = 'ha-test-session-secret-0123456789abcdef';

/** The health report's part these tests read (lib/realtime/contract.ts HealthReport). */
export interface HealthWho {
  process: { id: string; host: string; pid: number };
  leader: boolean;
  fencingToken: number | null;
}

export function haproxyBinary(): string | null {
  try {
    execFileSync('haproxy', ['-v'], { stdio: 'ignore' });
    return 'haproxy';
  } catch {
    return null;
  }
}

/** The processes' shared system of record, and the test's own connection to it (to seed and to check). */
export interface HaStore {
  /** DATABASE_PATH, or DATABASE_URL (with DATABASE_PATH naming the directory of each host's own files). */
  env: Record<string, string>;
  db: SqlDb;
  close(): Promise<void>;
}

export interface HaBackend {
  name: 'sqlite' | 'postgres';
  /** Why this backend is skipped, or null. */
  unavailable: string | null;
  open(): Promise<HaStore>;
}

const pgReason = await pgUnavailable();

/** Each failover test runs on both: one SQLite file shared by processes on one host, and PostgreSQL. */
export const HA_BACKENDS: HaBackend[] = [
  {
    name: 'sqlite',
    unavailable: null,
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-ha-'));
      const file = path.join(dir, 'pingan.db');
      const db = openDatabase(file);
      return {
        env: { DATABASE_PATH: file },
        db: sqliteSqlDb(db.$client),
        async close() {
          db.$client.close();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    unavailable: pgReason,
    async open() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-ha-pg-'));
      const database = await createTestPgDatabase({ collation: 'zh-CN' });
      const pool = createPgPool(database.url);
      await migratePg(pool);
      const db = pgSqlDb(pool);
      return {
        // Each process keeps its history (history-<port>.db) and the audit anchor in this directory.
        env: { DATABASE_URL: database.url, DATABASE_PATH: path.join(dir, 'pingan.db') },
        db,
        async close() {
          await db.close();
          await database.drop();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

/** N processes sharing the store and Redis; the first starts alone so it migrates the database. */
export async function startProcesses(n: number, store: HaStore, redisUrl: string): Promise<ServerProcess[]> {
  const env = {
    ...store.env,
    REDIS_URL: redisUrl,
    SESSION_SECRET: HA_SESSION_SECRET,
    // The balancer on this host: X-Forwarded-For from it names the client.
    TRUSTED_PROXIES: '127.0.0.1',
  };
  const first = await startServerProcess(env, { isApiOnly: true });
  const rest = await Promise.all(
    Array.from({ length: n - 1 }, () => startServerProcess(env, { isApiOnly: true })),
  );
  return [first, ...rest];
}

export async function healthOf(url: string): Promise<HealthWho | null> {
  try {
    const r = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
    return r.ok ? ((await r.json()) as HealthWho) : null;
  } catch {
    return null;
  }
}

export { login } from './durable-assignments';

export interface Balancer {
  url: string;
  logs: string[];
  stop(): Promise<void>;
}

/** The real HAProxy with deploy/haproxy.cfg, its addresses given through the environment as documented. */
export async function startHaproxy(backends: ServerProcess[]): Promise<Balancer> {
  if (backends.length !== 3) throw new Error('deploy/haproxy.cfg names three processes');
  const port = await freePort();
  const cfg = path.resolve(import.meta.dirname, '../../deploy/haproxy.cfg');
  const logs: string[] = [];
  const proc: ChildProcess = spawn('haproxy', ['-db', '-f', cfg], {
    env: {
      ...process.env,
      PINGAN_BIND: `127.0.0.1:${port}`,
      PINGAN_APP1: `127.0.0.1:${backends[0]!.port}`,
      PINGAN_APP2: `127.0.0.1:${backends[1]!.port}`,
      PINGAN_APP3: `127.0.0.1:${backends[2]!.port}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (d: Buffer) => {
    logs.push(d.toString());
    if (logs.length > 2000) logs.splice(0, 1000); // bound: access logs of a long test
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  // Up once every process has answered through it (round robin: three distinct process ids).
  const seen = new Set<string>();
  const until = Date.now() + 30_000;
  while (seen.size < 3) {
    if (proc.exitCode !== null) throw new Error(`haproxy exited (${proc.exitCode}):\n${logs.join('')}`);
    if (Date.now() > until)
      throw new Error(`haproxy did not reach 3 processes:\n${logs.slice(-20).join('')}`);
    const h = await healthOf(url);
    if (h) seen.add(h.process.id);
    else await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    logs,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
