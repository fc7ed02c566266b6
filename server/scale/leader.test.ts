import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger';
import { TestRedis } from '../../tests/helpers/redis-server';
import { waitFor } from '../../tests/helpers/test-app';
import { sql } from 'drizzle-orm';
import { sqliteSqlDb } from '../db/sql-db';
import { fencedWrite, StaleLeaderError } from './fence';
import { redisLeadership, soloLeadership, type Leadership } from './leader';

const logger = createLogger('silent');
/** Short terms so the test sees several; the production constants are LEADER_TTL_MS / LEADER_RENEW_MS. */
const TTL_MS = 1_000;
const RENEW_MS = 250;

describe('leader election through Redis', () => {
  let redis: TestRedis;
  const started: Leadership[] = [];
  const make = (key: string) => {
    const l = redisLeadership({ url: redis.url, logger, ttlMs: TTL_MS, renewMs: RENEW_MS, key });
    started.push(l);
    l.start();
    return l;
  };
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    for (const l of started) await l.close();
    await redis?.stop();
  });

  it('elects exactly one of three, and a successor with a larger token when it goes', async () => {
    const all = [make('t1'), make('t1'), make('t1')];
    await waitFor(() => all.some((l) => l.isLeader()), 10_000, 'a leader');
    // Several terms of renewal: still one leader, the same one.
    await new Promise((r) => setTimeout(r, TTL_MS * 2));
    const leaders = all.filter((l) => l.isLeader());
    expect(leaders).toHaveLength(1);
    const first = leaders[0]!;
    const firstToken = first.fencingToken()!;
    expect(firstToken).toBeGreaterThan(0);
    expect(all.filter((l) => l !== first).every((l) => l.fencingToken() === null)).toBe(true);

    const changes: boolean[] = [];
    const rest = all.filter((l) => l !== first);
    for (const l of rest) l.onChange((isLeader) => changes.push(isLeader));
    await first.close();
    await waitFor(() => rest.some((l) => l.isLeader()), 10_000, 'a successor');
    const next = rest.find((l) => l.isLeader())!;
    expect(next.fencingToken()!).toBeGreaterThan(firstToken);
    expect(rest.filter((l) => l.isLeader())).toHaveLength(1);
    expect(changes).toContain(true);
  });

  it('steps down when Redis goes, and leads again when it is back', async () => {
    const l = make('t2');
    await waitFor(() => l.isLeader(), 10_000, 'leading');
    const lost: boolean[] = [];
    l.onChange((isLeader) => lost.push(isLeader));
    await redis.kill();
    await waitFor(() => !l.isLeader(), 10_000, 'stepping down without Redis');
    expect(lost).toContain(false);
    await redis.restart();
    await waitFor(() => l.isLeader(), 15_000, 'leading again');
  });

  it('after a store refused its token, the next term gets a token above the stored one', async () => {
    const l = make('t3');
    await waitFor(() => l.isLeader(), 10_000, 'leading');
    const token = l.fencingToken()!;
    l.stepDown(token + 100); // as if Redis had lost its counter and the database held a newer token
    expect(l.isLeader()).toBe(false);
    await waitFor(() => l.isLeader(), 10_000, 'leading again');
    expect(l.fencingToken()!).toBeGreaterThan(token + 100);
  });
});

describe('fencedWrite', () => {
  const sqlite = new Database(':memory:');
  sqlite.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at INTEGER NOT NULL);
               CREATE TABLE t (v INTEGER)`);
  const put = (token: number | null, v: number) =>
    fencedWrite(sqliteSqlDb(sqlite), token, (tx) => tx.run(sql`INSERT INTO t (v) VALUES (${v})`));
  const values = () =>
    (sqlite.prepare('SELECT v FROM t ORDER BY rowid').all() as { v: number }[]).map((r) => r.v);

  it('refuses a write of an older term once a newer one has written, and writes nothing of it', async () => {
    await put(3, 1);
    await put(3, 2); // the same term again
    await put(5, 3); // a newer leader
    await expect(put(3, 4)).rejects.toThrow(StaleLeaderError);
    expect(values()).toEqual([1, 2, 3]);
    await put(10, 6); // compared as numbers: '10' is newer than '5'
    await expect(put(9, 7)).rejects.toThrow(StaleLeaderError);
    expect(values()).toEqual([1, 2, 3, 6]);
    await put(null, 5); // single-process mode: no rival, unfenced
    expect(values()).toEqual([1, 2, 3, 6, 5]);
  });

  it('the only process leads from start to close', async () => {
    const solo = soloLeadership(logger);
    const seen: boolean[] = [];
    solo.onChange((isLeader) => seen.push(isLeader));
    expect(solo.isLeader()).toBe(false);
    solo.start();
    expect(solo.isLeader()).toBe(true);
    expect(solo.fencingToken()).toBeNull();
    await solo.close();
    expect(seen).toEqual([true, false]);
  });
});
