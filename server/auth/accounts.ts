import type Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import type { SqlRunner } from '../db/sql-db';
import type { Clock } from '@/lib/clock';
import type { Role } from '../http/router';
import { hashPassword } from './password';

export const ROLES: readonly Role[] = ['admin', 'leader', 'dispatcher', 'duty', 'worker', 'department'];
export const DEFAULT_DEMO_PASSWORD = 'pingan-demo';

const DEMO_ACCOUNTS: { username: string; role: Role; displayName: string }[] = [
  { username: 'admin', role: 'admin', displayName: '系统管理员' },
  { username: 'leader', role: 'leader', displayName: '值班领导' },
  { username: 'dispatcher', role: 'dispatcher', displayName: '调度员' },
  { username: 'duty', role: 'duty', displayName: '值班员' },
];

export interface NewUser {
  username: string;
  role: Role;
  password: string;
  displayName?: string | null;
  /** Region scope (12/15-digit code); null: the whole territory. */
  regionCode?: string | null;
  /** role `worker`: the grid worker (workers.id) the account is. */
  workerId?: string | null;
  /** role `department`: the department (departments.id) the account answers for. */
  departmentId?: string | null;
}

/** Synchronous insert with a precomputed hash, so a caller can pair it with its audit row in one transaction. */
export function insertUser(
  sqlite: Database.Database,
  clock: Clock,
  user: Omit<NewUser, 'password'>,
  hash: string,
): number {
  const r = sqlite
    .prepare(
      'INSERT INTO users (username, display_name, role, password_hash, region_code, worker_id, department_id, failed_logins, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)',
    )
    .run(
      user.username,
      user.displayName ?? null,
      user.role,
      hash,
      user.regionCode ?? null,
      user.workerId ?? null,
      user.departmentId ?? null,
      clock.now(),
    );
  return Number(r.lastInsertRowid);
}

/** Ends every open session of an account (sign-in is refused for a disabled one besides). */
function revokeSessions(sqlite: Database.Database, clock: Clock, userId: number): void {
  sqlite
    .prepare('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL')
    .run(clock.now(), userId);
}

/**
 * Disables (revoking its sessions at once) or enables an account; disabling keeps the first time.
 * Synchronous, for the caller's transaction with its audit row; shared by the admin API and `npm run user`.
 */
export function setUserDisabled(
  sqlite: Database.Database,
  clock: Clock,
  userId: number,
  isDisabled: boolean,
): void {
  if (!isDisabled) {
    sqlite.prepare('UPDATE users SET disabled_at = NULL WHERE id = ?').run(userId);
    return;
  }
  sqlite
    .prepare('UPDATE users SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?')
    .run(clock.now(), userId);
  revokeSessions(sqlite, clock, userId);
}

/** A new password (precomputed hash): clears a lock and ends the sessions opened with the old one. */
export function setUserPasswordHash(
  sqlite: Database.Database,
  clock: Clock,
  userId: number,
  hash: string,
): void {
  sqlite
    .prepare('UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?')
    .run(hash, userId);
  revokeSessions(sqlite, clock, userId);
}

/** The user's own change: the caller ends the other sessions and keeps the one the change was made in. */
export async function setOwnPasswordHash(tx: SqlRunner, userId: number, hash: string): Promise<void> {
  await tx.run(
    sql`UPDATE users SET password_hash = ${hash}, failed_logins = 0, locked_until = NULL WHERE id = ${userId}`,
  );
}

/** Ends an account's sessions after its role or region scope changed. */
export function revokeUserSessions(sqlite: Database.Database, clock: Clock, userId: number): void {
  revokeSessions(sqlite, clock, userId);
}

export async function createUser(sqlite: Database.Database, clock: Clock, user: NewUser): Promise<number> {
  return insertUser(sqlite, clock, user, await hashPassword(user.password));
}

/**
 * Demo mode (DESIGN §4): the accounts admin, leader, dispatcher and duty, with DEMO_PASSWORD or
 * `pingan-demo`. Existing accounts are left alone, so a changed password survives a restart.
 */
export async function seedDemoAccounts(
  sqlite: Database.Database,
  clock: Clock,
  password: string = DEFAULT_DEMO_PASSWORD,
): Promise<string[]> {
  const exists = sqlite.prepare('SELECT 1 FROM users WHERE username = ?');
  const created: string[] = [];
  for (const a of DEMO_ACCOUNTS) {
    if (exists.get(a.username)) continue;
    await createUser(sqlite, clock, { ...a, password });
    created.push(a.username);
  }
  return created;
}
