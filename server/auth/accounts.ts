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

/** Insert with a precomputed hash, inside the caller's transaction with its audit row. Returns the id. */
export async function insertUser(
  db: SqlRunner,
  clock: Clock,
  user: Omit<NewUser, 'password'>,
  hash: string,
): Promise<number> {
  const row = await db.get<{ id: number }>(
    sql`INSERT INTO users (username, display_name, role, password_hash, region_code, worker_id, department_id, failed_logins, created_at)
        VALUES (${user.username}, ${user.displayName ?? null}, ${user.role}, ${hash}, ${user.regionCode ?? null},
          ${user.workerId ?? null}, ${user.departmentId ?? null}, 0, ${clock.now()})
        RETURNING id`,
  );
  return row!.id;
}

/** Ends every open session of an account, after its role, scope or password changed or it was disabled. */
export async function revokeUserSessions(db: SqlRunner, clock: Clock, userId: number): Promise<void> {
  await db.run(
    sql`UPDATE sessions SET revoked_at = ${clock.now()} WHERE user_id = ${userId} AND revoked_at IS NULL`,
  );
}

/**
 * Disables (revoking its sessions at once) or enables an account; disabling keeps the first time. In the
 * caller's transaction with its audit row; shared by the admin API and `npm run user`.
 */
export async function setUserDisabled(
  db: SqlRunner,
  clock: Clock,
  userId: number,
  isDisabled: boolean,
): Promise<void> {
  if (!isDisabled) {
    await db.run(sql`UPDATE users SET disabled_at = NULL WHERE id = ${userId}`);
    return;
  }
  await db.run(
    sql`UPDATE users SET disabled_at = COALESCE(disabled_at, ${clock.now()}) WHERE id = ${userId}`,
  );
  await revokeUserSessions(db, clock, userId);
}

/** A new password (precomputed hash): clears a lock and ends the sessions opened with the old one. */
export async function setUserPasswordHash(
  db: SqlRunner,
  clock: Clock,
  userId: number,
  hash: string,
): Promise<void> {
  await setOwnPasswordHash(db, userId, hash);
  await revokeUserSessions(db, clock, userId);
}

/** The user's own change: the caller ends the other sessions and keeps the one the change was made in. */
export async function setOwnPasswordHash(db: SqlRunner, userId: number, hash: string): Promise<void> {
  await db.run(
    sql`UPDATE users SET password_hash = ${hash}, failed_logins = 0, locked_until = NULL WHERE id = ${userId}`,
  );
}

export async function createUser(db: SqlRunner, clock: Clock, user: NewUser): Promise<number> {
  return insertUser(db, clock, user, await hashPassword(user.password));
}

/** Whether an account of this name exists. */
export async function hasUser(db: SqlRunner, username: string): Promise<boolean> {
  return (await db.get(sql`SELECT 1 AS one FROM users WHERE username = ${username}`)) !== undefined;
}

/**
 * Demo mode (DESIGN §4): the accounts admin, leader, dispatcher and duty, with DEMO_PASSWORD or
 * `pingan-demo`. Existing accounts are left alone, so a changed password survives a restart.
 */
export async function seedDemoAccounts(
  db: SqlRunner,
  clock: Clock,
  password: string = DEFAULT_DEMO_PASSWORD,
): Promise<string[]> {
  const created: string[] = [];
  for (const a of DEMO_ACCOUNTS) {
    if (await hasUser(db, a.username)) continue;
    await createUser(db, clock, { ...a, password });
    created.push(a.username);
  }
  return created;
}
