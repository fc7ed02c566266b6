import { sql } from 'drizzle-orm';
import type { Clock } from '@/lib/clock';
import type { Authorize } from '../auth/guard';
import type { SqlDb } from '../db/sql-db';
import type { Logger } from '../logger';
import { sendJson, type Route } from '../http/router';

/**
 * Denials nobody can be held to (failed sign-ins, reads refused, refused sockets) are counted per
 * (minute, kind, source, actor) in `audit_denials`, not written as one permanent audit row each: anyone can
 * cause them without an account, so as rows they would let an anonymous flood grow the audit table without
 * end. What a signed-in person tried and was refused (a write) stays in the audit chain (see `guard.ts`).
 *
 * Bounds: at most MAX_DENIAL_ROWS_PER_MINUTE distinct rows a minute (past it, the rest of that minute is
 * counted under source `*`), and rows older than DENIAL_RETENTION_MS are dropped as minutes go by.
 */
export type DenialKind =
  | 'login.unknown_user'
  | 'login.bad_password'
  | 'login.locked'
  | 'login.disabled'
  | 'login.rate_limited'
  | 'password.bad_current'
  | 'read.denied'
  | 'write.denied'
  | 'socket.denied';

/**
 * A normal minute has a handful of rows; 100 distinct (kind, source, actor) in one minute is already a spray.
 * With the retention below the table holds at most 100 × 43,200 minutes ≈ 4.3 M rows, whatever happens.
 */
export const MAX_DENIAL_ROWS_PER_MINUTE = 100;
/** Kept for 30 days: long enough to see a slow campaign, short enough that the table stays small. */
export const DENIAL_RETENTION_MS = 30 * 24 * 60 * 60_000;
const MINUTE_MS = 60_000;
/** Actor and source are clipped: they come from the request, and a row must stay small. */
const MAX_FIELD_CHARS = 64;
export const OVERFLOW_SOURCE = '*';

export interface DenialRow {
  minute: number;
  kind: string;
  source: string;
  actor: string;
  count: number;
  lastAt: number;
}

export class DenialCounter {
  private minute = -1;
  /** Keys written this minute, to hold the per-minute row bound without asking the database. */
  private readonly keys = new Set<string>();

  constructor(
    private readonly db: SqlDb,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly maxRowsPerMinute = MAX_DENIAL_ROWS_PER_MINUTE,
  ) {}

  /**
   * One denial. `actor`: the account tried or the principal refused; '' when none (or not a known account).
   * Never rejects: the refusal it counts stands (and is logged by its caller) whether or not the count is
   * stored, so a caller that cannot wait (the guard, which throws at once) may leave it running.
   */
  async count(kind: DenialKind, source: string, actor: string): Promise<void> {
    const now = this.clock.now();
    const minute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const isNewMinute = minute !== this.minute;
    if (isNewMinute) {
      this.minute = minute;
      this.keys.clear();
    }
    let src = (source || '-').slice(0, MAX_FIELD_CHARS);
    let who = actor.slice(0, MAX_FIELD_CHARS);
    const key = `${kind}\n${src}\n${who}`;
    if (!this.keys.has(key)) {
      if (this.keys.size >= this.maxRowsPerMinute) {
        src = OVERFLOW_SOURCE;
        who = '';
      } else this.keys.add(key);
    }
    try {
      if (isNewMinute)
        await this.db.run(sql`DELETE FROM audit_denials WHERE minute < ${minute - DENIAL_RETENTION_MS}`);
      await this.db.run(
        sql`INSERT INTO audit_denials (minute, kind, source, actor, count, last_at) VALUES (${minute}, ${kind}, ${src}, ${who}, 1, ${now})
            ON CONFLICT (minute, kind, source, actor) DO UPDATE SET count = audit_denials.count + 1, last_at = excluded.last_at`,
      );
    } catch (err) {
      this.logger.error({ err: (err as Error).message, kind, source: src }, 'denial not counted');
    }
  }

  /** The newest counts, for the admin's audit page. */
  list(sinceMs: number, limit: number): Promise<DenialRow[]> {
    return this.db.all<DenialRow>(
      sql`SELECT minute, kind, source, actor, count, last_at AS "lastAt" FROM audit_denials
          WHERE minute >= ${sinceMs} ORDER BY minute DESC, count DESC LIMIT ${limit}`,
    );
  }
}

/** The admin's view: the last DENIAL_VIEW_MS of counts, newest minute first, at most DENIAL_VIEW_ROWS rows. */
const DENIAL_VIEW_MS = 24 * 60 * 60_000;
const DENIAL_VIEW_ROWS = 500;

export function createDenialRoutes(deps: {
  denials: DenialCounter;
  authorize: Authorize;
  clock: Clock;
}): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/audit/denials',
      handler: async (ctx) => {
        deps.authorize(ctx, { roles: ['admin'], action: 'audit.denials', objectType: 'audit' });
        const hours = Number(ctx.url.searchParams.get('hours') ?? 24);
        const spanMs =
          Number.isFinite(hours) && hours > 0
            ? Math.min(hours * 3_600_000, DENIAL_RETENTION_MS)
            : DENIAL_VIEW_MS;
        sendJson(ctx.res, 200, {
          rows: await deps.denials.list(deps.clock.now() - spanMs, DENIAL_VIEW_ROWS),
        });
      },
    },
  ];
}
