/**
 * Board reconciliation between server processes (issue 19). The incident relay (incident-relay.ts) tells the
 * other processes of each change a process makes, but only after that change is committed: a process killed
 * between its commit and its publish leaves the others' boards without that change, and the walls that move
 * to them would show a snapshot the database contradicts. So each process re-reads the open incidents from
 * the shared database every BOARD_RECONCILE_MS and takes every row newer than its board's copy (and the end
 * of every incident it still shows open that the database has closed). Read-only and per process: nothing
 * here must run once, and nothing is relayed (each process finds the same rows by itself).
 *
 * Cost: one read of the open incidents (the state index) per interval, plus a primary-key read per incident
 * shown open that the database no longer lists open, the interval stretched so it stays under
 * BOARD_RECONCILE_MAX_SHARE of the event loop. On PostgreSQL the same two queries apply.
 */
import type Database from 'better-sqlite3';
import type { IncidentView } from '@/lib/domain/incident';
import type { IncidentBoard } from '../live/incident-board';
import type { Logger } from '../logger';

/** How stale a board may be after a process died mid-change: a moved wall agrees with the database by then. */
export const BOARD_RECONCILE_MS = 2_000;
/**
 * The most of one core reconciliation may take: a centre with a very large open board (up to
 * OPEN_INCIDENTS_MAX) reconciles less often instead of spending its event loop re-reading it.
 */
export const BOARD_RECONCILE_MAX_SHARE = 0.05;

const COLUMNS = `id, category, title, priority, source, state, lng, lat, address, grid_code AS gridCode,
  reported_at AS reportedAt, received_at AS receivedAt, updated_at AS updatedAt,
  assignee_kind AS assigneeKind, assignee_id AS assigneeId, supervision`;

export interface BoardReconcile {
  /** One pass now; returns the incidents it corrected (the timer calls it; tests call it directly). */
  sweep(): number;
  close(): void;
}

export function startBoardReconcile(opts: {
  sqlite: Database.Database;
  board: IncidentBoard;
  /** Applies the corrections without relaying them (IncidentRelay.quietly), or directly without a relay. */
  quietly: (apply: () => void) => void;
  logger: Logger;
  intervalMs?: number;
}): BoardReconcile {
  const { sqlite, board, logger } = opts;
  const openRows = sqlite.prepare(
    `SELECT ${COLUMNS} FROM incidents WHERE state NOT IN ('closed','cancelled')`,
  );
  const oneRow = sqlite.prepare(`SELECT ${COLUMNS} FROM incidents WHERE id = ?`);

  function sweep(): number {
    const newer: IncidentView[] = [];
    const open = new Set<string>();
    for (const row of openRows.iterate() as IterableIterator<IncidentView>) {
      open.add(row.id);
      const local = board.get(row.id);
      if (!local || row.updatedAt > local.updatedAt) newer.push(row);
    }
    for (const local of board.values()) {
      if (open.has(local.id)) continue;
      const row = oneRow.get(local.id) as IncidentView | undefined;
      // Closed or cancelled since (its end never reached this process); a row gone is left as shown.
      if (row && row.updatedAt >= local.updatedAt) newer.push(row);
    }
    if (newer.length === 0) return 0;
    opts.quietly(() => {
      for (const v of newer) board.upsert(v);
    });
    logger.info({ corrected: newer.length }, 'incident board reconciled with the database');
    return newer.length;
  }

  const intervalMs = opts.intervalMs ?? BOARD_RECONCILE_MS;
  let timer: NodeJS.Timeout | null = null;
  const schedule = (delayMs: number) => {
    timer = setTimeout(run, delayMs);
    timer.unref();
  };
  function run(): void {
    if (!sqlite.open) return;
    const startedAt = performance.now();
    try {
      sweep();
    } catch (err) {
      logger.error({ err }, 'incident board reconciliation failed');
    }
    const tookMs = performance.now() - startedAt;
    if (timer) schedule(Math.max(intervalMs, tookMs / BOARD_RECONCILE_MAX_SHARE));
  }
  schedule(intervalMs);
  return {
    sweep,
    close: () => {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
