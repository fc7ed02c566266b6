import { sql, type SQL } from 'drizzle-orm';
import type { SqlDb } from '@/server/db/sql-db';
import type { Logger } from '@/server/logger';
import { createThrottledLog } from '@/server/logger';
import { DIRECTORY_REFRESH_MS, startReloader } from '../directory-reload';

/** How often a running listener re-reads field_devices (an administrator may add or disable a device). */
export const DEVICE_DIRECTORY_REFRESH_MS = DIRECTORY_REFRESH_MS;
/** last_seen_at is marked at most this often per device (keepalives come every 60 s; the disk need not). */
export const LAST_SEEN_WRITE_EVERY_MS = 60_000;
/** Throttle entries kept; past it they are forgotten (a rate limiter, safe to lose). */
const MAX_THROTTLE_ENTRIES = 100_000;
/** Seen-marks are written together, in one transaction, this often (not one commit per keepalive). */
const SEEN_FLUSH_MS = 1_000;
/** Rows per multi-row statement: well under either engine's bound-parameter limit. */
const ROWS_PER_STATEMENT = 500;

export interface FieldDeviceEntry {
  /** MD5(id:realm:password) for this device; null: the domain password (GB28181_PASSWORD) applies. */
  ha1: string | null;
  isDisabled: boolean;
  /** host:port it last registered from (persisted across restarts). */
  lastAddress: string | null;
}

/** What the listener needs: a per-datagram lookup (a Map get), a change signal, and where it saw a device. */
export interface DeviceLookup {
  lookup(id: string): FieldDeviceEntry | undefined;
  onChange?(fn: () => void): void;
  /** A device registered or spoke from `address` (throttled write of last_seen_at / last_address). */
  seen?(id: string, address: string, now: number): void;
  /** Auto-registration: an unknown device registered; it is recorded so an administrator can manage it. */
  autoRegistered?(id: string, address: string, now: number): void;
}

export interface DeviceDirectory extends DeviceLookup {
  /** Re-reads field_devices; resolves once the new view is in place (or the read failed and was logged). */
  refresh(): Promise<void>;
  /** Stops re-reading and writes what is still pending. */
  close(): Promise<void>;
}

/** A lookup over fixed entries (tests, tools). */
export function staticDeviceLookup(entries: Record<string, Partial<FieldDeviceEntry>>): DeviceLookup {
  const map = new Map(
    Object.entries(entries).map(([id, e]) => [
      id,
      { ha1: e.ha1 ?? null, isDisabled: e.isDisabled ?? false, lastAddress: e.lastAddress ?? null },
    ]),
  );
  return { lookup: (id) => map.get(id) };
}

interface Mark {
  at: number;
  address: string;
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += ROWS_PER_STATEMENT) out.push(items.slice(i, i + ROWS_PER_STATEMENT));
  return out;
}

const valuesOf = (rows: [string, Mark][], row: (id: string, m: Mark) => SQL) =>
  sql.join(
    rows.map(([id, m]) => row(id, m)),
    sql`, `,
  );

/**
 * field_devices held in memory (the listener looks a device up per datagram, never awaiting the database),
 * re-read every `refreshMs` and at once when the admin routes change provisioning in this process; resolves
 * once the first read is in place, and rejects if that read fails. Where the listener saw a device and the
 * devices it auto-registered are written in batches every second, off the datagram path. `readonly` (a
 * listener without write access) skips those writes.
 */
export async function createDeviceDirectory(
  db: SqlDb,
  opts: { logger: Logger; refreshMs?: number; readonly?: boolean },
): Promise<DeviceDirectory> {
  const isWritable = !opts.readonly;
  const warn = createThrottledLog(opts.logger);
  const changeListeners: (() => void)[] = [];
  const lastWrite = new Map<string, Mark>();
  /** Seen-marks not yet written. */
  let pending = new Map<string, Mark>();
  /** Auto-registered devices not yet written. */
  let toInsert = new Map<string, Mark>();
  /**
   * Auto-registered devices a read has not yet returned: a read that began before their insert committed
   * must not make them unknown again.
   */
  const added = new Map<string, Mark>();

  const read = async () => {
    const rows = await db.all<{
      id: string;
      ha1: string | null;
      disabledAt: number | null;
      lastAddress: string | null;
    }>(
      sql`SELECT id, sip_ha1 AS ha1, disabled_at AS "disabledAt", last_address AS "lastAddress" FROM field_devices`,
    );
    const next = new Map<string, FieldDeviceEntry>();
    for (const r of rows)
      next.set(r.id, { ha1: r.ha1, isDisabled: r.disabledAt !== null, lastAddress: r.lastAddress });
    for (const [id, m] of added) {
      if (next.has(id)) added.delete(id);
      else next.set(id, { ha1: null, isDisabled: false, lastAddress: m.address });
    }
    // An address seen since the last write is newer than the one just read.
    for (const [id, m] of pending) {
      const entry = next.get(id);
      if (entry) entry.lastAddress = m.address;
    }
    return next;
  };

  let map = await read();
  const reloader = startReloader({
    name: 'gb28181 device directory',
    logger: opts.logger,
    everyMs: opts.refreshMs ?? DEVICE_DIRECTORY_REFRESH_MS,
    async load() {
      map = await read();
      for (const fn of changeListeners) fn();
    },
  });

  const write = async () => {
    if (pending.size === 0 && toInsert.size === 0) return;
    const inserts = [...toInsert];
    const marks = [...pending];
    toInsert = new Map();
    pending = new Map();
    try {
      await db.transaction(async (tx) => {
        for (const rows of chunks(inserts))
          await tx.run(
            sql`INSERT INTO field_devices (id, created_at, last_seen_at, last_address)
                VALUES ${valuesOf(rows, (id, m) => sql`(${id}, ${m.at}, ${m.at}, ${m.address})`)}
                ON CONFLICT (id) DO NOTHING`,
          );
        // VALUES columns are column1… on both engines; the cast types PostgreSQL's untyped parameter.
        for (const rows of chunks(marks))
          await tx.run(
            sql`UPDATE field_devices SET last_seen_at = CAST(v.column2 AS BIGINT), last_address = v.column3
                FROM (VALUES ${valuesOf(rows, (id, m) => sql`(${id}, ${m.at}, ${m.address})`)}) AS v
                WHERE field_devices.id = v.column1`,
          );
      });
    } catch (err) {
      // A device auto-registered must end up on record: tried again next time. Seen-marks are advisory.
      for (const [id, m] of inserts) if (!toInsert.has(id)) toInsert.set(id, m);
      warn('gb28181-seen', { err: (err as Error).message }, 'writing where devices were seen failed');
    }
  };
  let writing: Promise<void> | null = null;
  const flush = (): Promise<void> => {
    // Never two at once: a slow database makes the marks wait for the next tick, not pile up transactions.
    writing ??= write().finally(() => {
      writing = null;
    });
    return writing;
  };
  const flushTimer = isWritable ? setInterval(() => void flush(), SEEN_FLUSH_MS) : null;
  flushTimer?.unref();

  return {
    lookup: (id) => map.get(id),
    onChange: (fn) => void changeListeners.push(fn),
    seen(id, address, now) {
      if (!isWritable) return;
      const prev = lastWrite.get(id);
      // A new address is marked at once (written within a second): MESSAGEs are checked against it after a
      // restart.
      if (prev && prev.address === address && now - prev.at < LAST_SEEN_WRITE_EVERY_MS) return;
      if (!prev && lastWrite.size >= MAX_THROTTLE_ENTRIES) lastWrite.clear();
      lastWrite.set(id, { at: now, address });
      if (pending.size < MAX_THROTTLE_ENTRIES) pending.set(id, { at: now, address });
      const entry = map.get(id);
      if (entry) entry.lastAddress = address;
    },
    autoRegistered(id, address, now) {
      if (!isWritable || map.has(id)) return;
      // Known at once (the next datagram finds it); on record within a second.
      map.set(id, { ha1: null, isDisabled: false, lastAddress: address });
      if (added.size < MAX_THROTTLE_ENTRIES) added.set(id, { at: now, address });
      if (toInsert.size < MAX_THROTTLE_ENTRIES) toInsert.set(id, { at: now, address });
    },
    refresh: reloader.reload,
    async close() {
      reloader.close();
      if (flushTimer) clearInterval(flushTimer);
      await writing;
      await flush();
    },
  };
}
