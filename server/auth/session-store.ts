import { sql } from 'drizzle-orm';
import type { Clock } from '@/lib/clock';
import type { SqlRunner } from '../db/sql-db';
import type { Role } from '../http/router';
import { newSessionId, sha256Hex } from './session-cookie';

/**
 * A session nobody has used this long is over. "Used" means a person did something: a write, or the page's
 * activity ping on a key or pointer press (both non-GET requests, see `auth.ts`). Background polls, socket
 * handshakes and the server's socket re-check only look, so an unattended console signs itself out.
 */
export const SESSION_IDLE_MS = 30 * 60_000;
/** ...and none outlives a long shift, used or not. */
export const SESSION_MAX_MS = 12 * 60 * 60_000;
/**
 * Roles exempt from the idle limit (the 12-hour maximum still holds): a duty officer's wall is watched, not
 * touched, for hours, and going blank after 30 minutes would defeat it; the role can only read what a
 * display token can read, so an unattended one gives nobody a way to act. Every role that can change
 * something (dispatch, 督办, admin) keeps the idle limit. Screens that run unattended past a shift use
 * display tokens.
 */
export const IDLE_EXEMPT_ROLES: ReadonlySet<Role> = new Set<Role>(['duty']);
/** last_seen_at is written at most this often per session: a busy console must not become write-heavy. */
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
  constructor(
    private readonly db: SqlRunner,
    private readonly clock: Clock,
    private readonly idleMs = SESSION_IDLE_MS,
    private readonly maxMs = SESSION_MAX_MS,
  ) {}

  /** Returns the new session id (the secret half of the cookie). `via`: the login transaction. */
  async create(userId: number, clientAddress: string | null, via: SqlRunner = this.db): Promise<string> {
    const id = newSessionId();
    const now = this.clock.now();
    await via.run(
      sql`INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, client_address)
          VALUES (${sha256Hex(id)}, ${userId}, ${now}, ${now}, ${clientAddress})`,
    );
    return id;
  }

  /**
   * The session's user, or null when unknown, revoked, idle too long, too old or its account disabled
   * (disabling revokes the sessions too; this check holds even for one revoked concurrently). Only
   * `isActivity` (a person did something) refreshes it; every other look leaves last_seen_at alone.
   */
  async lookup(id: string, isActivity = false): Promise<SessionUser | null> {
    const hash = sha256Hex(id);
    const row = await this.db.get<SessionRow>(
      sql`SELECT s.user_id, s.created_at, s.last_seen_at, u.username, u.role, u.display_name, u.region_code, u.disabled_at
          FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ${hash} AND s.revoked_at IS NULL`,
    );
    if (!row || row.disabled_at !== null) return null;
    const now = this.clock.now();
    const isIdle = now - row.last_seen_at > this.idleMs && !IDLE_EXEMPT_ROLES.has(row.role);
    if (isIdle || now - row.created_at > this.maxMs) return null;
    if (isActivity && now - row.last_seen_at > TOUCH_EVERY_MS)
      await this.db.run(sql`UPDATE sessions SET last_seen_at = ${now} WHERE id_hash = ${hash}`);
    return {
      userId: row.user_id,
      username: row.username,
      role: row.role,
      displayName: row.display_name,
      regionCode: row.region_code,
    };
  }

  async revoke(id: string, via: SqlRunner = this.db): Promise<void> {
    await via.run(
      sql`UPDATE sessions SET revoked_at = ${this.clock.now()} WHERE id_hash = ${sha256Hex(id)} AND revoked_at IS NULL`,
    );
  }

  /** Every session of the user but this one (after a password change made in it). */
  async revokeOtherSessions(userId: number, keepId: string, via: SqlRunner = this.db): Promise<void> {
    await via.run(
      sql`UPDATE sessions SET revoked_at = ${this.clock.now()}
          WHERE user_id = ${userId} AND id_hash <> ${sha256Hex(keepId)} AND revoked_at IS NULL`,
    );
  }
}
