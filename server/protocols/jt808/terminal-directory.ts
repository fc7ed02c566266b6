import { createHash, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { SqlDb } from '@/server/db/sql-db';
import type { Logger } from '@/server/logger';
import { DIRECTORY_REFRESH_MS, startReloader } from '../directory-reload';
import { normalisePhone } from './bcd';

/** How often a running gateway re-reads the provisioned terminals (an administrator may fit or disable one). */
export const TERMINAL_DIRECTORY_REFRESH_MS = DIRECTORY_REFRESH_MS;

/** What the gateway knows about a terminal phone. */
export interface TerminalEntry {
  vehicleId: string;
  /** sha256 hex of the terminal's own auth code; null: a phone on a vehicle but no code issued. */
  authHash: string | null;
  isDisabled: boolean;
}

/** The gateway's view: a lookup per frame that must cost a Map get, and a change signal. */
export interface TerminalLookup {
  lookup(phoneKey: string): TerminalEntry | undefined;
  /** Called after every refresh, so the gateway can drop connections that lost their provisioning. */
  onChange?(fn: () => void): void;
}

export interface TerminalDirectory extends TerminalLookup {
  /** The vehicle carrying this terminal, or undefined. */
  resolve(phoneDigits: string): string | undefined;
  /** Re-reads the database; resolves once the new view is in place (or the read failed and was logged). */
  refresh(): Promise<void>;
  close(): void;
}

/** Keys are written the way the gateway sees phones: digits only, no leading zeros. */
export function phoneKey(configured: string): string {
  return normalisePhone(configured.replace(/\D/g, ''));
}

/** Auth codes are high-entropy random strings, so a plain sha256 is enough (no password stretching). */
export function hashAuthCode(code: string): string {
  return createHash('sha256').update(code, 'latin1').digest('hex');
}

export function authCodeMatches(code: string, storedHash: string): boolean {
  const a = Buffer.from(hashAuthCode(code), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A lookup over fixed entries (tests, tools). */
export function staticTerminalLookup(entries: Record<string, TerminalEntry>): TerminalLookup {
  const map = new Map(Object.entries(entries).map(([phone, e]) => [phoneKey(phone), e]));
  return { lookup: (p) => map.get(p) };
}

interface TerminalRow {
  id: string;
  phone: string;
  authHash: string | null;
  disabledAt: number | null;
}

/** The provisioned terminals as the gateway keys them. */
export async function readTerminals(db: SqlDb): Promise<Map<string, TerminalEntry>> {
  const rows = await db.all<TerminalRow>(
    sql`SELECT id, terminal_phone AS phone, terminal_auth_hash AS "authHash", disabled_at AS "disabledAt"
        FROM vehicles WHERE terminal_phone IS NOT NULL`,
  );
  const map = new Map<string, TerminalEntry>();
  for (const r of rows)
    map.set(phoneKey(r.phone), { vehicleId: r.id, authHash: r.authHash, isDisabled: r.disabledAt !== null });
  return map;
}

/**
 * vehicles.terminal_phone / terminal_auth_hash / disabled_at → TerminalEntry, held in memory so the per-frame
 * lookup costs a Map get. Resolves once the first read is in place (a gateway must not start on an empty
 * directory: it would refuse, or auto-register, every provisioned terminal); that first read's failure
 * rejects. Re-read every `refreshMs`, and at once when the admin routes change provisioning in this process.
 */
export async function createTerminalDirectory(
  db: SqlDb,
  opts: { logger: Logger; refreshMs?: number },
): Promise<TerminalDirectory> {
  let map = await readTerminals(db);
  const changeListeners: (() => void)[] = [];
  const reloader = startReloader({
    name: 'jt808 terminal directory',
    logger: opts.logger,
    everyMs: opts.refreshMs ?? TERMINAL_DIRECTORY_REFRESH_MS,
    async load() {
      map = await readTerminals(db);
      for (const fn of changeListeners) fn();
    },
  });
  return {
    lookup: (phone) => map.get(phone),
    resolve: (phone) => map.get(phone)?.vehicleId,
    onChange: (fn) => void changeListeners.push(fn),
    refresh: reloader.reload,
    close: reloader.close,
  };
}
