import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Clock } from '@/lib/clock';
import type { IncidentView } from '@/lib/domain/incident';
import { DEFAULT_TIME_LIMITS } from '@/lib/domain/time-limits';
import { openDatabase } from '../db/open-database';
import { createLogger } from '../logger';
import { LEADER_FENCE_META_KEY } from './fence';
import type { Leadership } from './leader';
import { OVERDUE_AUDIT_ACTION, startOverdueWatch } from './overdue-watch';

const logger = createLogger('silent');
const ACCEPT_MS = DEFAULT_TIME_LIMITS.byPriority[2].accept!;
const NOW = 1_800_000_000_000;
const clock: Clock = { now: () => NOW } as Clock;

/** A leadership the test sets by hand: leading with a given token, or not. */
function fakeLeader(token: number | null) {
  const state = { token, steppedDownAt: undefined as number | undefined };
  const leader: Leadership = {
    process: { id: 'test', host: 'h', pid: 1 },
    isLeader: () => state.token !== null,
    fencingToken: () => state.token,
    onChange: () => () => {},
    stepDown: (stored) => {
      state.steppedDownAt = stored;
      state.token = null;
    },
    start: () => {},
    close: async () => {},
  };
  return { leader, state };
}

const view = (id: string, receivedAt: number): IncidentView => ({
  id,
  category: 'dispute',
  title: 't',
  priority: 2,
  source: 'grid_worker',
  state: 'reported',
  lng: 120,
  lat: 30,
  address: null,
  gridCode: null,
  reportedAt: receivedAt,
  receivedAt,
  updatedAt: receivedAt,
  assigneeKind: null,
  assigneeId: null,
  supervision: 0,
});

describe('overdue watch', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-overdue-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openDatabase(path.join(dir, 'test.db'));
  const sqlite = db.$client;
  const board = [
    view('LATE-1', NOW - ACCEPT_MS - 1),
    view('LATE-2', NOW - 2 * ACCEPT_MS),
    view('FRESH', NOW - 1000),
  ];
  const records = () =>
    sqlite
      .prepare(
        `SELECT incident_id AS id, at, note FROM incident_events WHERE type = 'overdue' ORDER BY incident_id`,
      )
      .all() as { id: string; at: number; note: string }[];
  const audits = () =>
    (
      sqlite.prepare('SELECT COUNT(*) AS n FROM audit_log WHERE action = ?').get(OVERDUE_AUDIT_ACTION) as {
        n: number;
      }
    ).n;

  it('records each red lamp once, at its deadline, and only while leading', () => {
    const follower = fakeLeader(null);
    const idle = startOverdueWatch({
      sqlite,
      incidents: () => board,
      leader: follower.leader,
      clock,
      logger,
    });
    expect(idle.sweep()).toBe(0);
    idle.close();

    const a = fakeLeader(3);
    const watch = startOverdueWatch({ sqlite, incidents: () => board, leader: a.leader, clock, logger });
    expect(watch.sweep()).toBe(2);
    expect(watch.sweep()).toBe(0);
    expect(records()).toEqual([
      { id: 'LATE-1', at: NOW - 1, note: '受理超时' },
      { id: 'LATE-2', at: NOW - ACCEPT_MS, note: '受理超时' },
    ]);
    expect(audits()).toBe(2);
    // A second leader after the first (a newer term, its memory empty) finds them recorded in the database.
    const b = fakeLeader(4);
    const next = startOverdueWatch({ sqlite, incidents: () => board, leader: b.leader, clock, logger });
    expect(next.sweep()).toBe(0);
    expect(audits()).toBe(2);
    watch.close();
    next.close();
  });

  it('refuses a deposed leader once a newer term has written, and it steps down', () => {
    // Term 4 wrote above (the fence in the database says so); term 3 wakes up with a new red lamp to record.
    expect(
      (sqlite.prepare('SELECT value FROM meta WHERE key = ?').get(LEADER_FENCE_META_KEY) as { value: string })
        .value,
    ).toBe('4');
    const stale = fakeLeader(3);
    const more = [...board, view('LATE-3', NOW - ACCEPT_MS - 5)];
    const watch = startOverdueWatch({ sqlite, incidents: () => more, leader: stale.leader, clock, logger });
    expect(watch.sweep()).toBe(0);
    expect(stale.state.steppedDownAt).toBe(4);
    expect(stale.leader.isLeader()).toBe(false);
    expect(records().map((r) => r.id)).toEqual(['LATE-1', 'LATE-2']);
    watch.close();
  });
});
