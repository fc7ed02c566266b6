import type Database from 'better-sqlite3';
import { onProvisioningChange } from '../provisioning-events';

/** How often a running listener re-reads field_devices (an administrator may add or disable a device). */
export const DEVICE_DIRECTORY_REFRESH_MS = 30_000;
/** last_seen_at is marked at most this often per device (keepalives come every 60 s; the disk need not). */
export const LAST_SEEN_WRITE_EVERY_MS = 60_000;
/** Throttle entries kept; past it they are forgotten (a rate limiter, safe to lose). */
const MAX_THROTTLE_ENTRIES = 100_000;
/** Seen-marks are written together, in one transaction, this often (not one commit per keepalive). */
const SEEN_FLUSH_MS = 1_000;

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
  refresh(): void;
  close(): void;
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

/**
 * field_devices held in memory, refreshed on a timer and at once when the admin routes change provisioning
 * in this process. `readonly` (a standalone listener without write access) skips the last-seen writes.
 */
export function createDeviceDirectory(
  sqlite: Database.Database,
  opts: { refreshMs?: number; readonly?: boolean } = {},
): DeviceDirectory {
  let map = new Map<string, FieldDeviceEntry>();
  const changeListeners: (() => void)[] = [];
  const select = sqlite.prepare<
    [],
    { id: string; ha1: string | null; disabledAt: number | null; lastAddress: string | null }
  >('SELECT id, sip_ha1 AS ha1, disabled_at AS disabledAt, last_address AS lastAddress FROM field_devices');
  const isWritable = !opts.readonly && !sqlite.readonly;
  const update = isWritable
    ? sqlite.prepare('UPDATE field_devices SET last_seen_at = ?, last_address = ? WHERE id = ?')
    : null;
  const insert = isWritable
    ? sqlite.prepare(
        'INSERT OR IGNORE INTO field_devices (id, created_at, last_seen_at, last_address) VALUES (?, ?, ?, ?)',
      )
    : null;
  const lastWrite = new Map<string, { at: number; address: string }>();
  const pending = new Map<string, { at: number; address: string }>();
  const flushSeen = update
    ? sqlite.transaction(() => {
        for (const [id, p] of pending) update.run(p.at, p.address, id);
        pending.clear();
      })
    : null;
  const flushTimer = update
    ? setInterval(() => {
        if (pending.size === 0) return;
        try {
          flushSeen!();
        } catch {
          pending.clear(); // a busy database: last-seen marks are advisory, the next ones will do
        }
      }, SEEN_FLUSH_MS)
    : null;
  flushTimer?.unref();

  const refresh = () => {
    const next = new Map<string, FieldDeviceEntry>();
    for (const r of select.all())
      next.set(r.id, { ha1: r.ha1, isDisabled: r.disabledAt !== null, lastAddress: r.lastAddress });
    map = next;
    for (const fn of changeListeners) fn();
  };
  refresh();
  const timer = setInterval(refresh, opts.refreshMs ?? DEVICE_DIRECTORY_REFRESH_MS);
  timer.unref();
  const unsubscribe = onProvisioningChange(refresh);

  return {
    lookup: (id) => map.get(id),
    onChange: (fn) => void changeListeners.push(fn),
    seen(id, address, now) {
      if (!update) return;
      const prev = lastWrite.get(id);
      // A new address is marked at once (written within a second): MESSAGEs are checked against it after a
      // restart.
      if (prev && prev.address === address && now - prev.at < LAST_SEEN_WRITE_EVERY_MS) return;
      if (!prev && lastWrite.size >= MAX_THROTTLE_ENTRIES) lastWrite.clear();
      lastWrite.set(id, { at: now, address });
      pending.set(id, { at: now, address });
      const entry = map.get(id);
      if (entry) entry.lastAddress = address;
    },
    autoRegistered(id, address, now) {
      if (!insert || map.has(id)) return;
      insert.run(id, now, now, address);
      map.set(id, { ha1: null, isDisabled: false, lastAddress: address });
    },
    refresh,
    close: () => {
      clearInterval(timer);
      if (flushTimer) clearInterval(flushTimer);
      if (pending.size > 0) flushSeen?.();
      unsubscribe();
    },
  };
}
