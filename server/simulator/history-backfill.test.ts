import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIME_LIMITS, timeLimitStatus } from '@/lib/domain/time-limits';
import type { IncidentState } from '@/lib/domain/enums';
import { sqlChainSource, verifyChain } from '../audit/verify-chain';
import { sqliteSqlDb } from '../db/sql-db';
import { openDatabase, type Db } from '../db/open-database';
import { createLogger } from '../logger';
import { seedDemoWorld } from '../world/seed-world';
import { backfillDemoHistory, type BackfillResult } from './history-backfill';

/** A small world keeps seeding quick; the backfill's volume does not depend on the world's size. */
const SMALL = {
  townsPerDistrict: 3,
  communitiesPerTown: 3,
  gridsPerCommunity: 3,
  cameras: 60,
  vehicles: 12,
  workers: 30,
  districtRadiusM: 3_000,
};
const DAYS = 7;
const PER_DAY = 150;
/** 19:00 in China: the evening peak, with today's cases still being handled. */
const NOW = Date.UTC(2026, 0, 5, 11, 0, 0);
const DAY_MS = 86_400_000;
const logger = createLogger('silent');

let dir: string;
let db: Db;
let result: BackfillResult;

async function freshDb(name: string): Promise<Db> {
  const d = openDatabase(path.join(dir, name));
  await seedDemoWorld(sqliteSqlDb(d.$client), { ...SMALL, now: NOW });
  return d;
}

function lastAuditHash(d: Db): string {
  return d.$client.prepare('SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1').pluck().get() as string;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-history-'));
  db = await freshDb('a.db');
  result = await backfillDemoHistory({
    db: sqliteSqlDb(db.$client),
    logger,
    days: DAYS,
    now: NOW,
    seed: 't',
    incidentsPerDay: PER_DAY,
  });
});
afterAll(() => {
  db?.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('backfillDemoHistory', () => {
  it('fills every day with a district-like volume and no refused step', () => {
    expect(result.isSkipped).toBe(false);
    expect(result.perDay).toHaveLength(DAYS);
    for (const n of result.perDay) expect(n).toBeGreaterThan(PER_DAY * 0.7);
    for (const n of result.perDay) expect(n).toBeLessThan(PER_DAY * 1.3);
    expect(result.refused).toBe(0);
    expect(result.stalled).toBe(0);
  });

  it('leaves a hash chain that verifies, one audit row per command', async () => {
    const v = await verifyChain(sqlChainSource(sqliteSqlDb(db.$client)));
    expect(v).toEqual({ ok: true, rows: result.commands });
    expect(result.auditRows).toBe(result.commands);
  });

  it('stamps whole milliseconds only', () => {
    const fractional = db.$client
      .prepare(
        `SELECT (SELECT COUNT(*) FROM audit_log WHERE at != CAST(at AS INTEGER))
              + (SELECT COUNT(*) FROM incident_events WHERE at != CAST(at AS INTEGER))
              + (SELECT COUNT(*) FROM incidents WHERE updated_at != CAST(updated_at AS INTEGER))`,
      )
      .pluck()
      .get();
    expect(fractional).toBe(0);
  });

  it('dates nothing in the future and nothing before the window', () => {
    const q = (sql: string) => db.$client.prepare(sql).get() as { lo: number; hi: number };
    for (const range of [
      q(
        'SELECT MIN(reported_at) lo, MAX(MAX(received_at, updated_at, COALESCE(closed_at, 0))) hi FROM incidents',
      ),
      q('SELECT MIN(at) lo, MAX(at) hi FROM incident_events'),
      q('SELECT MIN(at) lo, MAX(at) hi FROM audit_log'),
    ]) {
      expect(range.hi).toBeLessThanOrEqual(NOW);
      expect(range.lo).toBeGreaterThanOrEqual(NOW - DAYS * DAY_MS - 120_000);
    }
  });

  it('closes most cases, keeps today’s open, and has a realistic overdue share', () => {
    const rows = db.$client
      .prepare(
        `SELECT i.priority, i.state, i.received_at AS receivedAt, i.supervision, i.satisfaction,
           (SELECT MIN(at) FROM incident_events e WHERE e.incident_id = i.id AND e.to_state = 'resolved') AS resolvedAt
         FROM incidents i`,
      )
      .all() as {
      priority: 1 | 2 | 3 | 4;
      state: IncidentState;
      receivedAt: number;
      supervision: number;
      satisfaction: number | null;
      resolvedAt: number | null;
    }[];
    const share = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).length / rows.length;
    expect(share((r) => r.state === 'closed')).toBeGreaterThan(0.75);
    expect(share((r) => r.state === 'closed')).toBeLessThan(0.95);
    expect(share((r) => r.state === 'cancelled')).toBeLessThan(0.06);
    const isOverdue = (r: (typeof rows)[number]) => {
      const limit = DEFAULT_TIME_LIMITS.byPriority[r.priority].resolve!;
      return r.resolvedAt !== null ? r.resolvedAt - r.receivedAt > limit : timeLimitStatus(r, NOW).isOverdue;
    };
    const overdue = share(isOverdue);
    expect(overdue).toBeGreaterThanOrEqual(0.03);
    expect(overdue).toBeLessThanOrEqual(0.08);
    expect(rows.filter(isOverdue).length).toBe(result.overdue);
    // Open cases: mostly today's, plus the late ones under supervision.
    const open = rows.filter((r) => !['closed', 'cancelled', 'resolved'].includes(r.state));
    expect(open.length).toBe(result.open);
    expect(open.filter((r) => r.receivedAt > NOW - DAY_MS).length).toBeGreaterThan(open.length / 2);
    expect(rows.some((r) => r.supervision === 2)).toBe(true);
    expect(rows.some((r) => r.supervision === 3)).toBe(true);
    const rated = rows.filter((r) => r.satisfaction !== null);
    expect(rated.length).toBeGreaterThan(rows.length * 0.3);
    expect(rated.filter((r) => r.satisfaction! >= 4).length / rated.length).toBeGreaterThan(0.8);
  });

  it('is deterministic for a seed, and runs only on an empty incident table', async () => {
    const other = await freshDb('b.db');
    try {
      const again = await backfillDemoHistory({
        db: sqliteSqlDb(other.$client),
        logger,
        days: DAYS,
        now: NOW,
        seed: 't',
        incidentsPerDay: PER_DAY,
      });
      expect({ ...again, elapsedMs: 0 }).toEqual({ ...result, elapsedMs: 0 });
      expect(lastAuditHash(other)).toBe(lastAuditHash(db));
      expect(
        (
          await backfillDemoHistory({
            db: sqliteSqlDb(other.$client),
            logger,
            days: DAYS,
            now: NOW + DAY_MS,
            seed: 't',
          })
        ).isSkipped,
      ).toBe(true);
    } finally {
      other.$client.close();
    }
    expect(
      (await backfillDemoHistory({ db: sqliteSqlDb(db.$client), logger, days: 0, now: NOW })).isSkipped,
    ).toBe(true);
  });
});
