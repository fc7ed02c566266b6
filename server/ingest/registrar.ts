import { sql, type SQL } from 'drizzle-orm';
import type { SqlDb, SqlRunner } from '../db/sql-db';
import type { PendingRegistration, LiveState } from '../live/live-state';
import type { Logger } from '../logger';

/** Registrations per write: one tick's worth in practice; a backlog drains over the next ticks, each transaction short. */
export const REGISTRATIONS_PER_WRITE = 10_000;
/**
 * Rows per INSERT, largest first. Few fixed sizes, so the statement cache holds a handful of texts however
 * many devices a tick brings (one text per count would crowd out the hot statements).
 */
const ROWS_PER_INSERT = [128, 16, 1] as const;
/** After a failed write, ticks skipped before the next try: doubling from 1 up to this (about 3 s at 50 ms). */
const MAX_BACKOFF_TICKS = 64;

type Kind = PendingRegistration['kind'];

function insert(kind: Kind, regs: PendingRegistration[], now: number): SQL {
  // A device registered meanwhile (by the registries, or another process) is kept as it is.
  if (kind === 'vehicle')
    return sql`INSERT INTO vehicles (id, name, kind, is_unassigned, created_at) VALUES ${sql.join(
      regs.map((r) => sql`(${r.id}, ${r.name}, ${r.entityKind}, ${true}, ${now})`),
      sql`, `,
    )} ON CONFLICT DO NOTHING`;
  if (kind === 'worker')
    return sql`INSERT INTO workers (id, is_unassigned, created_at) VALUES ${sql.join(
      regs.map((r) => sql`(${r.id}, ${true}, ${now})`),
      sql`, `,
    )} ON CONFLICT DO NOTHING`;
  return sql`INSERT INTO cameras (id, name, lng, lat, stream_url, is_unassigned, created_at) VALUES ${sql.join(
    regs.map(
      (r) =>
        sql`(${r.id}, ${r.name}, ${r.lng ?? null}, ${r.lat ?? null}, ${r.streamUrl ?? null}, ${true}, ${now})`,
    ),
    sql`, `,
  )} ON CONFLICT DO NOTHING`;
}

async function writeAll(tx: SqlRunner, regs: PendingRegistration[], now: number): Promise<void> {
  for (const kind of ['vehicle', 'worker', 'camera'] as const) {
    // In id order: two processes inserting the same new ids lock them in the same order, never in a cycle.
    const rows = regs.filter((r) => r.kind === kind).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let at = 0;
    for (const size of ROWS_PER_INSERT)
      for (; rows.length - at >= size; at += size) await tx.run(insert(kind, rows.slice(at, at + size), now));
  }
}

/**
 * The database refused this row's values (PostgreSQL's data exceptions and constraints, class 22 and 23:
 * a NUL character in a name, say), not the write as a whole: retrying it would fail forever.
 */
function isRowRefused(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' && (/^2[23][0-9A-Z]{3}$/.test(code) || code.startsWith('SQLITE_CONSTRAINT'))
  );
}

/**
 * Writes the oldest queued registrations in one transaction and only then takes them off the queue, so a
 * failed write loses none (the next one retries them). Should the database refuse a row's values, each row
 * is written on its own and only those it refuses are dropped (logged): one bad name must not hold back
 * every device after it. Returns how many were taken off the queue. One call at a time (`startRegistrar`).
 */
export async function writeRegistrations(db: SqlDb, live: LiveState, logger: Logger): Promise<number> {
  const regs = live.peekRegistrations(REGISTRATIONS_PER_WRITE);
  if (regs.length === 0) return 0;
  const now = live.clock.now();
  try {
    await db.transaction((tx) => writeAll(tx, regs, now));
  } catch (e) {
    if (!isRowRefused(e)) throw e;
    const refused = await db.transaction(async (tx) => {
      const out: PendingRegistration[] = [];
      for (const r of regs) {
        try {
          await tx.transaction((sp) => writeAll(sp, [r], now));
        } catch (err) {
          if (!isRowRefused(err)) throw err;
          out.push(r);
        }
      }
      return out;
    });
    for (const r of refused)
      logger.error({ kind: r.kind, id: r.id }, 'the database refused a new device: not registered');
    live.registrationsDropped += refused.length;
  }
  live.settleRegistrations(regs.length);
  return regs.length;
}

export interface Registrar {
  /** Each tick: starts a write unless one is still running or a failure is being backed off from. Never throws. */
  onTick(): void;
  /** At close: waits for the write in flight, then writes what is still queued (failures logged). */
  flush(): Promise<void>;
}

/**
 * Writes devices first seen in telemetry to the database as unassigned, off the tick, so the hot ingest
 * path never waits on the disk or the network. Only with FIELD_AUTO_REGISTER (demo) does an unknown id get
 * this far: otherwise the telemetry ingest refuses it (`unknown_id`) and units come from the registries.
 */
export function startRegistrar(db: SqlDb, live: LiveState, logger: Logger): Registrar {
  let inFlight: Promise<void> | null = null;
  let failures = 0;
  let skipTicks = 0;
  const write = (): Promise<void> =>
    writeRegistrations(db, live, logger).then(
      () => {
        if (failures > 0) logger.info({ failures }, 'registering new devices works again');
        failures = 0;
      },
      (err: unknown) => {
        failures++;
        skipTicks = Math.min(2 ** (failures - 1), MAX_BACKOFF_TICKS);
        logger.error({ err, failures }, 'registering new devices failed: kept queued, retried');
      },
    );
  return {
    onTick() {
      if (inFlight) return;
      if (skipTicks > 0) {
        skipTicks--;
        return;
      }
      inFlight = write().finally(() => (inFlight = null));
    },
    async flush() {
      await inFlight;
      await write();
    },
  };
}
