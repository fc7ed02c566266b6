/**
 * Board reconciliation between server processes (issue 19). The incident relay (incident-relay.ts) tells the
 * other processes of each change a process makes, but only after that change is committed: a process killed
 * between its commit and its publish leaves the others' boards without that change, and the walls that move
 * to them would show a snapshot the database contradicts. So each process re-reads the open incidents from
 * the shared database every BOARD_RECONCILE_MS and takes every row newer than its board's copy (and the end
 * of every incident it still shows open that the database has closed). Read-only and per process: nothing
 * here must run once, and nothing is relayed (each process finds the same rows by itself).
 *
 * Cost: one read of the open incidents (the state index) per interval, plus primary-key reads of the
 * incidents shown open that the database no longer lists open, the interval stretched so it stays under
 * BOARD_RECONCILE_MAX_SHARE of the event loop (measured from the pass's start to its end, waits on the
 * database included, so a slow database is asked less often too).
 */
import { sql } from 'drizzle-orm';
import type { IncidentView } from '@/lib/domain/incident';
import type { SqlDb } from '../db/sql-db';
import type { IncidentBoard } from '../live/incident-board';
import type { Logger } from '../logger';

/** How stale a board may be after a process died mid-change: a moved wall agrees with the database by then. */
export const BOARD_RECONCILE_MS = 2_000;
/**
 * The most of one core reconciliation may take: a centre with a very large open board (up to
 * OPEN_INCIDENTS_MAX) reconciles less often instead of spending its event loop re-reading it.
 */
export const BOARD_RECONCILE_MAX_SHARE = 0.05;
/** Incidents the board shows open but the database does not, read back per statement. */
const ID_CHUNK = 500;

const COLUMNS = sql`id, category, title, priority, source, state, lng, lat, address, grid_code AS "gridCode",
  reported_at AS "reportedAt", received_at AS "receivedAt", updated_at AS "updatedAt",
  assignee_kind AS "assigneeKind", assignee_id AS "assigneeId", supervision`;

export interface BoardReconcile {
  /** One pass now; resolves with the incidents it corrected (the timer calls it; tests call it directly). */
  sweep(): Promise<number>;
  close(): void;
}

export function startBoardReconcile(opts: {
  db: SqlDb;
  board: IncidentBoard;
  /** Applies the corrections without relaying them (IncidentRelay.quietly), or directly without a relay. */
  quietly: (apply: () => void) => void;
  logger: Logger;
  intervalMs?: number;
}): BoardReconcile {
  const { db, board, logger } = opts;

  async function sweep(): Promise<number> {
    const read: IncidentView[] = [];
    const open = new Set<string>();
    for (const row of await db.all<IncidentView>(
      sql`SELECT ${COLUMNS} FROM incidents WHERE state NOT IN ('closed', 'cancelled')`,
    )) {
      open.add(row.id);
      const local = board.get(row.id);
      if (!local || row.updatedAt > local.updatedAt) read.push(row);
    }
    const gone = [...board.values()].filter((v) => !open.has(v.id)).map((v) => v.id);
    for (let k = 0; k < gone.length; k += ID_CHUNK) {
      const ids = gone.slice(k, k + ID_CHUNK).map((id) => sql`${id}`);
      // Closed or cancelled since (its end never reached this process); a row gone is left as shown.
      read.push(
        ...(await db.all<IncidentView>(
          sql`SELECT ${COLUMNS} FROM incidents WHERE id IN (${sql.join(ids, sql`, `)})`,
        )),
      );
    }
    // Compared again now: the board may have moved on (a relayed or local change) while the rows were read.
    const newer = read.filter((row) => {
      const local = board.get(row.id);
      return open.has(row.id)
        ? !local || row.updatedAt > local.updatedAt
        : !!local && row.updatedAt >= local.updatedAt;
    });
    if (newer.length === 0) return 0;
    opts.quietly(() => {
      for (const v of newer) board.upsert(v);
    });
    logger.info({ corrected: newer.length }, 'incident board reconciled with the database');
    return newer.length;
  }

  const intervalMs = opts.intervalMs ?? BOARD_RECONCILE_MS;
  let timer: NodeJS.Timeout | null = null;
  let isClosed = false;
  const schedule = (delayMs: number) => {
    if (isClosed) return;
    timer = setTimeout(() => void run(), delayMs);
    timer.unref();
  };
  // One pass at a time: the next is scheduled only once this one has settled.
  async function run(): Promise<void> {
    const startedAt = performance.now();
    try {
      await sweep();
    } catch (err) {
      logger.error({ err }, 'incident board reconciliation failed');
    }
    const tookMs = performance.now() - startedAt;
    schedule(Math.max(intervalMs, tookMs / BOARD_RECONCILE_MAX_SHARE));
  }
  schedule(intervalMs);
  return {
    sweep,
    close: () => {
      isClosed = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
