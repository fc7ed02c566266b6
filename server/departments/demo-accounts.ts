import { sql } from 'drizzle-orm';
import type { SqlRunner } from '../db/sql-db';
import type { Clock } from '@/lib/clock';
import { DEFAULT_DEMO_PASSWORD, createUser, hasUser } from '../auth/accounts';

/** Demo department accounts: one per department kind (the first of that kind by id), named `dept-<kind>`. */
export const DEMO_DEPARTMENT_KINDS = ['police_station', 'fire', 'urban_management', 'justice'] as const;

/**
 * Demo mode: an account for the first department of each kind in DEMO_DEPARTMENT_KINDS (dept-police_station,
 * dept-fire…), with the demo password, so 部门报到 (/dept) can be tried at once. Existing accounts are left
 * alone; a world without departments gets none.
 */
export async function seedDemoDepartmentAccounts(
  db: SqlRunner,
  clock: Clock,
  password: string = DEFAULT_DEMO_PASSWORD,
): Promise<string[]> {
  const created: string[] = [];
  for (const kind of DEMO_DEPARTMENT_KINDS) {
    const d = await db.get<{ id: string; name: string }>(
      sql`SELECT id, name FROM departments WHERE kind = ${kind} ORDER BY id LIMIT 1`,
    );
    const username = `dept-${kind}`;
    if (!d || (await hasUser(db, username))) continue;
    await createUser(db, clock, {
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
