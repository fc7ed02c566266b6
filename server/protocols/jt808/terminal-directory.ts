import { isNotNull } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type * as schema from '@/server/db/schema';
import { vehicles } from '@/server/db/schema';
import { normalisePhone } from './bcd';

/** How often a running gateway re-reads vehicles.terminal_phone (an administrator may fit a terminal). */
export const TERMINAL_DIRECTORY_REFRESH_MS = 30_000;

export interface TerminalDirectory {
  /** The vehicle carrying this terminal, or undefined (the phone then becomes an unassigned vehicle). */
  resolve(phoneDigits: string): string | undefined;
  refresh(): void;
  close(): void;
}

/** Keys are written the way the gateway sees phones: digits only, no leading zeros. */
export function phoneKey(configured: string): string {
  return normalisePhone(configured.replace(/\D/g, ''));
}

/**
 * vehicles.terminal_phone → vehicle id, held in memory so the per-position lookup costs a Map get, and
 * refreshed on a timer. Works on the server's database or on a read-only handle in the standalone gateway.
 */
export function createTerminalDirectory(
  db: BetterSQLite3Database<typeof schema>,
  refreshMs = TERMINAL_DIRECTORY_REFRESH_MS,
): TerminalDirectory {
  let map = new Map<string, string>();
  const refresh = () => {
    const rows = db
      .select({ id: vehicles.id, phone: vehicles.terminalPhone })
      .from(vehicles)
      .where(isNotNull(vehicles.terminalPhone))
      .all();
    const next = new Map<string, string>();
    for (const r of rows) if (r.phone) next.set(phoneKey(r.phone), r.id);
    map = next;
  };
  refresh();
  const timer = setInterval(refresh, refreshMs);
  timer.unref();
  return {
    resolve: (phone) => map.get(phone),
    refresh,
    close: () => clearInterval(timer),
  };
}
