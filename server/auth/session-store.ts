import type Database from 'better-sqlite3';
import type { Clock } from '@/lib/clock';
import type { Role } from '../http/router';
import { newSessionId, sha256Hex } from './session-cookie';

/** A session unused this long is over (the console pings on user activity while a dispatcher works). */
export const SESSION_IDLE_MS = 30 * 60_000;
/** ...and none outlives a long shift, used or not. */
export const SESSION_MAX_MS = 12 * 60 * 60_000;
/** last_seen_at is written at most this often per session: a read-heavy console must not become write-heavy. */
const TOUCH_EVERY_MS = 60_000;

export interface SessionUser {
  userId: number;
  username: string;
  role: Role;
  displayName: string | null;
  regionCode: string | null;
}

interface SessionRow {
  user_id: number;
  created_at: number;
  last_seen_at: number;
  username: string;
  role: Role;
  display_name: string | null;
  region_code: string | null;
  disabled_at: number | null;
}

export class SessionStore {
  private readonly insert: Database.Statement;
  private readonly select: Database.Statement<[string], SessionRow>;
  private readonly touch: Database.Statement;
  private readonly revokeOne: Database.Statement;
  private readonly revokeAll: Database.Statement;

  constructor(
    sqlite: Database.Database,
    private readonly clock: Clock,
    private readonly idleMs = SESSION_IDLE_MS,
    private readonly maxMs = SESSION_MAX_MS,
  ) {
    this.insert = sqlite.prepare(
      'INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, client_address) VALUES (?, ?, ?, ?, ?)',
    );
    this.select = sqlite.prepare(
      `SELECT s.user_id, s.created_at, s.last_seen_at, u.username, u.role, u.display_name, u.region_code, u.disabled_at
       FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ? AND s.revoked_at IS NULL`,
    );
    this.touch = sqlite.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?');
    this.revokeOne = sqlite.prepare(
      'UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL',
    );
    this.revokeAll = sqlite.prepare(
      'UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
    );
  }

  /** Returns the new session id (the secret half of the cookie). Call inside the login transaction. */
  create(userId: number, clientAddress: string | null): string {
    const id = newSessionId();
    const now = this.clock.now();
    this.insert.run(sha256Hex(id), userId, now, now, clientAddress);
    return id;
  }

  /**
   * The session's user, or null when unknown, revoked, idle too long, too old or its account disabled
   * (disabling revokes the sessions too; this check holds even for one revoked concurrently). Touches it when live.
   */
  lookup(id: string): SessionUser | null {
    const hash = sha256Hex(id);
    const row = this.select.get(hash);
    if (!row || row.disabled_at !== null) return null;
    const now = this.clock.now();
    if (now - row.last_seen_at > this.idleMs || now - row.created_at > this.maxMs) return null;
    if (now - row.last_seen_at > TOUCH_EVERY_MS) this.touch.run(now, hash);
    return {
      userId: row.user_id,
      username: row.username,
      role: row.role,
      displayName: row.display_name,
      regionCode: row.region_code,
    };
  }

  revoke(id: string): void {
    this.revokeOne.run(this.clock.now(), sha256Hex(id));
  }

  revokeUser(userId: number): void {
    this.revokeAll.run(this.clock.now(), userId);
  }
}
