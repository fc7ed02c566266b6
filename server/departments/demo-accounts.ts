import type Database from 'better-sqlite3';
import type { Clock } from '@/lib/clock';
import { DEFAULT_DEMO_PASSWORD, createUser } from '../auth/accounts';

/** Demo department accounts: one per department kind (the first of that kind by id), named `dept-<kind>`. */
export const DEMO_DEPARTMENT_KINDS = ['police_station', 'fire', 'urban_management', 'justice'] as const;

/**
 * Demo mode: an account for the first department of each kind in DEMO_DEPARTMENT_KINDS (dept-police_station,
 * dept-fire…), with the demo password, so 部门报到 (/dept) can be tried at once. Existing accounts are left
 * alone; a world without departments gets none.
 */
export async function seedDemoDepartmentAccounts(
  sqlite: Database.Database,
  clock: Clock,
  password: string = DEFAULT_DEMO_PASSWORD,
): Promise<string[]> {
  const first = sqlite.prepare<[string], { id: string; name: string }>(
    'SELECT id, name FROM departments WHERE kind = ? ORDER BY id LIMIT 1',
  );
  const exists = sqlite.prepare('SELECT 1 FROM users WHERE username = ?');
  const created: string[] = [];
  for (const kind of DEMO_DEPARTMENT_KINDS) {
    const d = first.get(kind);
    const username = `dept-${kind}`;
    if (!d || exists.get(username)) continue;
    await createUser(sqlite, clock, {
      username,
      role: 'department',
      password,
      displayName: d.name,
      departmentId: d.id,
    });
    created.push(username);
  }
  return created;
}
