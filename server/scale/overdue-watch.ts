/**
 * The overdue watch: when an open incident's lamp turns red for a milestone (受理 / 到场 / 签收 / 办结 past its
 * time limit), the incident's timeline gets one `overdue` step and the audit log one `incident.overdue` row,
 * by `system`. The lamp itself is a pure function every screen computes (lib/domain/time-limits.ts); this
 * records the moment it went red, once, whichever process is up: only the leader runs it (leader.ts), and
 * each record is written under the leader's fencing token (fence.ts).
 *
 * Exactly once: the step is written only if the incident has none for that milestone, checked inside the
 * same transaction that writes it, and that transaction holds the watch's lock from before the check to its
 * commit (SQLite: the IMMEDIATE write lock; PostgreSQL, READ COMMITTED, where two transactions could both
 * find a step missing: a transaction-scoped advisory lock, so a second writer checks only after the first
 * committed and sees its rows). That holds even for two processes that both lead unfenced (two solo
 * processes wrongly pointed at one PostgreSQL). The fencing token adds that a deposed leader, paused past its
 * lease, gets its whole batch refused once its successor has written, rather than writing records the
 * successor's state no longer agrees with.
 */
import { sql } from 'drizzle-orm';
import type { Clock } from '@/lib/clock';
import { timeLimitStatus, MILESTONE_LABELS, type Milestone } from '@/lib/domain/time-limits';
import type { IncidentView } from '@/lib/domain/incident';
import { SqlAudit } from '../audit/audit-append';
import { inList, type SqlDb, type SqlRunner } from '../db/sql-db';
import type { Logger } from '../logger';
import { fencedWrite, StaleLeaderError } from './fence';
import type { Leadership } from './leader';

/** How often the leader looks for lamps that turned red: limits are minutes, so a lamp is recorded promptly. */
export const OVERDUE_SWEEP_MS = 2_000;
/** Records written per sweep: a backlog (a long outage, limits shortened) drains over sweeps, never in one stall. */
export const OVERDUE_WRITES_PER_SWEEP = 200;
export const OVERDUE_EVENT_TYPE = 'overdue';
export const OVERDUE_AUDIT_ACTION = 'incident.overdue';
/** PostgreSQL advisory lock key of the check-and-write ('overdue' in ASCII); nothing else takes it. */
export const OVERDUE_WRITE_LOCK = 111_542_649_070_949;

const DEPT_ACK_LABEL = '签收';

function milestoneLabel(m: string): string {
  return m === 'deptAck' ? DEPT_ACK_LABEL : (MILESTONE_LABELS[m as Milestone] ?? m);
}

export interface OverdueWatch {
  /** One sweep now (the timer calls it; tests call it directly). Resolves with the records written. */
  sweep(): Promise<number>;
  close(): void;
}

interface Due {
  id: string;
  milestone: string;
  deadline: number;
}

const key = (id: string, milestone: string) => `${id}|${milestone}`;

export function startOverdueWatch(opts: {
  db: SqlDb;
  /** The app's audit chain on `db`; one is made when absent. */
  audit?: SqlAudit;
  incidents: () => Iterable<IncidentView>;
  leader: Leadership;
  clock: Clock;
  logger: Logger;
  intervalMs?: number;
}): OverdueWatch {
  const { db, leader, clock, logger } = opts;
  const audit = opts.audit ?? new SqlAudit(db, clock);
  /**
   * `${id}|${milestone}` known recorded, so a sweep does not re-ask the database every time. Bounded: only
   * keys of incidents still red this sweep are kept.
   */
  let recorded = new Set<string>();

  /** In one transaction: the steps of `batch` not yet on record are written, with their audit rows. */
  async function record(tx: SqlRunner, batch: Due[]): Promise<number> {
    if (tx.dialect === 'postgres') await tx.run(sql`SELECT pg_advisory_xact_lock(${OVERDUE_WRITE_LOCK})`);
    const ids = [...new Set(batch.map((d) => d.id))];
    const existing = await tx.all<{ id: string; milestone: string | null }>(
      sql`SELECT incident_id AS "id", data ->> 'milestone' AS "milestone" FROM incident_events
          WHERE type = ${OVERDUE_EVENT_TYPE} AND incident_id IN ${inList(tx, ids)}`,
    );
    const onRecord = new Set(existing.map((r) => key(r.id, r.milestone ?? '')));
    const fresh: Due[] = [];
    for (const d of batch) {
      if (onRecord.has(key(d.id, d.milestone))) continue;
      onRecord.add(key(d.id, d.milestone));
      fresh.push(d);
    }
    for (const d of fresh) {
      // The timeline step at the moment the lamp went red; the audit row when it was recorded.
      const data = { milestone: d.milestone, deadline: d.deadline };
      await tx.run(
        sql`INSERT INTO incident_events (incident_id, at, actor, type, note, data)
            VALUES (${d.id}, ${d.deadline}, 'system', ${OVERDUE_EVENT_TYPE}, ${`${milestoneLabel(d.milestone)}超时`},
              ${JSON.stringify(data)})`,
      );
    }
    // Last, as appendAudit asks: on PostgreSQL its lock is held from the first append to the commit.
    for (const d of fresh)
      await audit.append(tx, {
        actor: 'system',
        role: 'system',
        clientAddress: null,
        action: OVERDUE_AUDIT_ACTION,
        objectType: 'incident',
        objectId: d.id,
        after: { milestone: d.milestone, deadline: d.deadline },
        result: 'ok',
      });
    return fresh.length;
  }

  async function sweep(): Promise<number> {
    if (!leader.isLeader()) {
      recorded.clear(); // a new term starts from the database, which the other leader may have written
      return 0;
    }
    const now = clock.now();
    const due: Due[] = [];
    const stillRed = new Set<string>();
    for (const v of opts.incidents()) {
      for (const s of timeLimitStatus(v, now).milestones) {
        if (s.lamp !== 'red') continue;
        const k = key(v.id, s.milestone);
        stillRed.add(k);
        if (!recorded.has(k)) due.push({ id: v.id, milestone: s.milestone, deadline: s.deadline });
      }
    }
    recorded = new Set([...recorded].filter((k) => stillRed.has(k)));
    if (due.length === 0) return 0;
    const batch = due.slice(0, OVERDUE_WRITES_PER_SWEEP);
    const token = leader.fencingToken();
    try {
      const n = await fencedWrite(db, token, (tx) => record(tx, batch));
      for (const d of batch) recorded.add(key(d.id, d.milestone));
      if (n > 0) logger.info({ written: n, fencingToken: token }, 'overdue lamps recorded');
      return n;
    } catch (err) {
      if (err instanceof StaleLeaderError) {
        logger.warn({ err: err.message }, 'overdue watch: a newer leader has written; stepping down');
        leader.stepDown(err.storedToken);
        return 0;
      }
      logger.error({ err }, 'overdue watch: recording failed; retried next sweep');
      return 0;
    }
  }

  // One sweep at a time: the next is scheduled only once this one has settled.
  let timer: NodeJS.Timeout | null = null;
  let isClosed = false;
  const schedule = () => {
    if (isClosed) return;
    timer = setTimeout(() => {
      sweep()
        .catch((err: unknown) => logger.error({ err }, 'overdue watch: sweep failed'))
        .finally(schedule);
    }, opts.intervalMs ?? OVERDUE_SWEEP_MS);
    timer.unref();
  };
  schedule();
  return {
    sweep,
    close: () => {
      isClosed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
