import type Database from 'better-sqlite3';
import type { Clock } from '@/lib/clock';
import type { Role } from '../http/router';
import { hashPassword } from './password';

export const ROLES: readonly Role[] = ['admin', 'leader', 'dispatcher', 'duty'];
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
      'INSERT INTO users (username, display_name, role, password_hash, failed_logins, created_at) VALUES (?, ?, ?, ?, 0, ?)',
    )
    .run(user.username, user.displayName ?? null, user.role, hash, clock.now());
  return Number(r.lastInsertRowid);
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
