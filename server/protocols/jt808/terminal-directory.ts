import { createHash, timingSafeEqual } from 'node:crypto';
import { isNotNull } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type * as schema from '@/server/db/schema';
import { vehicles } from '@/server/db/schema';
import { onProvisioningChange } from '../provisioning-events';
import { normalisePhone } from './bcd';

/** How often a running gateway re-reads the provisioned terminals (an administrator may fit or disable one). */
export const TERMINAL_DIRECTORY_REFRESH_MS = 30_000;

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
  refresh(): void;
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

/**
 * vehicles.terminal_phone / terminal_auth_hash / disabled_at → TerminalEntry, held in memory so the per-frame
 * lookup costs a Map get, refreshed on a timer and at once when the admin routes change provisioning in this
 * process. Works on the server's database or on a read-only handle in the standalone gateway.
 */
export function createTerminalDirectory(
  db: BetterSQLite3Database<typeof schema>,
  refreshMs = TERMINAL_DIRECTORY_REFRESH_MS,
): TerminalDirectory {
  let map = new Map<string, TerminalEntry>();
  const changeListeners: (() => void)[] = [];
  const refresh = () => {
    const rows = db
      .select({
        id: vehicles.id,
        phone: vehicles.terminalPhone,
        authHash: vehicles.terminalAuthHash,
        disabledAt: vehicles.disabledAt,
      })
      .from(vehicles)
      .where(isNotNull(vehicles.terminalPhone))
      .all();
    const next = new Map<string, TerminalEntry>();
    for (const r of rows) {
      if (!r.phone) continue;
      next.set(phoneKey(r.phone), {
        vehicleId: r.id,
        authHash: r.authHash,
        isDisabled: r.disabledAt !== null,
      });
    }
    map = next;
    for (const fn of changeListeners) fn();
  };
  refresh();
  const timer = setInterval(refresh, refreshMs);
  timer.unref();
  const unsubscribe = onProvisioningChange(refresh);
  return {
    lookup: (phone) => map.get(phone),
    resolve: (phone) => map.get(phone)?.vehicleId,
    onChange: (fn) => void changeListeners.push(fn),
    refresh,
    close: () => {
      clearInterval(timer);
      unsubscribe();
    },
  };
}
