import { sqliteSqlDb } from '@/server/db/sql-db';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '@/lib/clock';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { openDatabase } from '@/server/db/open-database';
import { startServerProcess, type ServerProcess } from '../helpers/server-process';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PASSWORD = 'province-seed-test-pw';
const SESSION_SECRET = 'province-seed-test-session-secret-0123456789';

interface SeedReport {
  isNew: boolean;
  counts: Record<string, number>;
  incidentsOpen: number;
}

/** `npm run world` as a user runs it (the script itself, in its own process), on the tiny preset. */
async function runWorld(dbPath: string): Promise<SeedReport> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'scripts/generate-world.ts', '--preset', 'tiny', '--db', dbPath],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  return JSON.parse(stdout) as SeedReport;
}

async function login(url: string, username: string): Promise<string> {
  const r = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  return r.headers.get('set-cookie')!.split(';')[0]!;
}

describe('npm run world, then the server serves it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-province-'));
  let srv: ServerProcess | undefined;
  afterAll(async () => {
    await srv?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('seeds the preset with a day of incidents, and the API reports exactly what was seeded', async () => {
    const dbPath = path.join(dir, 'pingan.db');
    const report = await runWorld(dbPath);
    expect(report.isNew).toBe(true);
    expect(report.counts).toMatchObject({ grids: 12, vehicles: 8, workers: 20, cameras: 40 });
    expect(report.counts.incidents).toBeGreaterThan(0);

    const db = openDatabase(dbPath);
    const sqlite = db.$client;
    const count = (sql: string) => (sqlite.prepare(sql).get() as { n: number }).n;
    expect(count('SELECT count(*) AS n FROM grids')).toBe(12);
    expect(count('SELECT count(*) AS n FROM incidents')).toBe(report.counts.incidents);
    // Every incident went through the audited dispatch path, so the day has its audit trail.
    const auditRows = count('SELECT count(*) AS n FROM audit_log');
    expect(auditRows).toBeGreaterThan(report.counts.incidents!);
    // Every timeline step but the report itself was a dispatch command, and each has its audit row.
    expect(count("SELECT count(*) AS n FROM incident_events WHERE type != 'reported'")).toBeLessThanOrEqual(
      auditRows,
    );
    await seedDemoAccounts(sqliteSqlDb(sqlite), systemClock, PASSWORD);
    sqlite.close();

    // A second run is a no-op: the world is kept, nothing is doubled.
    const again = await runWorld(dbPath);
    expect(again.isNew).toBe(false);
    expect(again.counts.incidents).toBe(0);

    srv = await startServerProcess({ DATABASE_PATH: dbPath, SESSION_SECRET }, { isApiOnly: true });
    const admin = await login(srv.url, 'admin');
    const get = async <T>(p: string): Promise<T> => {
      const r = await fetch(`${srv!.url}${p}`, { headers: { cookie: admin } });
      expect(r.status, p).toBe(200);
      return (await r.json()) as T;
    };
    const world = await get<{ name: string; counts: Record<string, number> }>('/api/map/world.json');
    expect(world.name).toBe('平安测试区');
    expect(world.counts).toMatchObject({ grids: 12, vehicles: 8, workers: 20, cameras: 40 });
    for (const [kind, n] of [
      ['vehicle', 8],
      ['worker', 20],
      ['camera', 40],
    ] as const) {
      const page = await get<{ count: number }>(`/api/live/${kind}/ids`);
      expect(page.count, kind).toBe(n);
    }
    // The replayed day's audit rows form one chain the server verifies end to end, row for row.
    const audit = await get<{ ok: boolean; rows: number; firstBadRow?: number }>('/api/audit/verify');
    expect(audit.ok).toBe(true);
    // Signing in is audited too, so the chain holds the seeded rows and the ones since.
    expect(audit.rows).toBeGreaterThanOrEqual(auditRows);
    expect(audit.firstBadRow).toBeUndefined();
    const incidents = await get<{ total: number }>('/api/incidents');
    expect(incidents.total).toBeGreaterThanOrEqual(report.incidentsOpen);
    expect(incidents.total).toBeGreaterThan(0);
    // Two seed processes and a server start: minutes when the machine's cores are shared, seconds when not.
  }, 180_000);
});
