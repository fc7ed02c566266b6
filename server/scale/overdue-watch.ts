/**
 * The overdue watch: when an open incident's lamp turns red for a milestone (受理 / 到场 / 签收 / 办结 past its
 * time limit), the incident's timeline gets one `overdue` step and the audit log one `incident.overdue` row,
 * by `system`. The lamp itself is a pure function every screen computes (lib/domain/time-limits.ts); this
 * records the moment it went red, once, whichever process is up: only the leader runs it (leader.ts), and
 * each record is written under the leader's fencing token (fence.ts).
 *
 * Exactly once: the step is written only if the incident has none for that milestone, checked inside the
 * same transaction that writes it, so two writers cannot both find it missing. The fencing token adds that a
 * deposed leader, paused past its lease, gets its whole batch refused once its successor has written, rather
 * than writing records the successor's state no longer agrees with.
 */
import type Database from 'better-sqlite3';
import type { Clock } from '@/lib/clock';
import { timeLimitStatus, MILESTONE_LABELS, type Milestone } from '@/lib/domain/time-limits';
import type { IncidentView } from '@/lib/domain/incident';
import { AuditLog } from '../audit/audit-log';
import type { Logger } from '../logger';
import { fencedWrite, StaleLeaderError } from './fence';
import type { Leadership } from './leader';

/** How often the leader looks for lamps that turned red: limits are minutes, so a lamp is recorded promptly. */
export const OVERDUE_SWEEP_MS = 2_000;
/** Records written per sweep: a backlog (a long outage, limits shortened) drains over sweeps, never in one stall. */
export const OVERDUE_WRITES_PER_SWEEP = 200;
export const OVERDUE_EVENT_TYPE = 'overdue';
export const OVERDUE_AUDIT_ACTION = 'incident.overdue';

const DEPT_ACK_LABEL = '签收';

function milestoneLabel(m: string): string {
  return m === 'deptAck' ? DEPT_ACK_LABEL : (MILESTONE_LABELS[m as Milestone] ?? m);
}

export interface OverdueWatch {
  /** One sweep now (the timer calls it; tests call it directly). Returns the records written. */
  sweep(): number;
  close(): void;
}

export function startOverdueWatch(opts: {
  sqlite: Database.Database;
  incidents: () => Iterable<IncidentView>;
  leader: Leadership;
  clock: Clock;
  logger: Logger;
  intervalMs?: number;
}): OverdueWatch {
  const { sqlite, leader, clock, logger } = opts;
  const audit = new AuditLog(sqlite, clock);
  const hasRecord = sqlite.prepare(
    `SELECT 1 FROM incident_events WHERE incident_id = ? AND type = '${OVERDUE_EVENT_TYPE}'
       AND json_extract(data, '$.milestone') = ? LIMIT 1`,
  );
  const insertEvent = sqlite.prepare(
    `INSERT INTO incident_events (incident_id, at, actor, type, note, data) VALUES (?, ?, 'system', ?, ?, ?)`,
  );
  /**
   * `${id}|${milestone}` known recorded, so a sweep does not re-ask the database every time. Bounded: only
   * keys of incidents still red this sweep are kept.
   */
  let recorded = new Set<string>();

  function sweep(): number {
    if (!leader.isLeader()) {
      recorded.clear(); // a new term starts from the database, which the other leader may have written
      return 0;
    }
    const now = clock.now();
    const due: { id: string; milestone: string; deadline: number }[] = [];
    const stillRed = new Set<string>();
    for (const v of opts.incidents()) {
      for (const s of timeLimitStatus(v, now).milestones) {
        if (s.lamp !== 'red') continue;
        const k = `${v.id}|${s.milestone}`;
        stillRed.add(k);
        if (!recorded.has(k)) due.push({ id: v.id, milestone: s.milestone, deadline: s.deadline });
      }
    }
    recorded = new Set([...recorded].filter((k) => stillRed.has(k)));
    if (due.length === 0) return 0;
    const batch = due.slice(0, OVERDUE_WRITES_PER_SWEEP);
    try {
      const written = fencedWrite(sqlite, leader.fencingToken(), () => {
        let n = 0;
        for (const d of batch) {
          if (hasRecord.get(d.id, d.milestone)) continue;
          const note = `${milestoneLabel(d.milestone)}超时`;
          const data = { milestone: d.milestone, deadline: d.deadline };
          // The timeline step at the moment the lamp went red; the audit row when it was recorded.
          insertEvent.run(d.id, d.deadline, OVERDUE_EVENT_TYPE, note, JSON.stringify(data));
          audit.append({
            actor: 'system',
            role: 'system',
            clientAddress: null,
            action: OVERDUE_AUDIT_ACTION,
            objectType: 'incident',
            objectId: d.id,
            after: data,
            result: 'ok',
          });
          n++;
        }
        return n;
      });
      for (const d of batch) recorded.add(`${d.id}|${d.milestone}`);
      if (written > 0)
        logger.info({ written, fencingToken: leader.fencingToken() }, 'overdue lamps recorded');
      return written;
    } catch (err) {
      if (err instanceof StaleLeaderError) {
        logger.warn({ err: err.message }, 'overdue watch: a newer leader has written; stepping down');
        leader.stepDown(err.storedToken);
        return 0;
      }
      logger.error({ err }, 'overdue watch: recording failed');
      return 0;
    }
  }

  const timer = setInterval(() => {
    if (sqlite.open) sweep();
  }, opts.intervalMs ?? OVERDUE_SWEEP_MS);
  timer.unref();
  return { sweep, close: () => clearInterval(timer) };
}
