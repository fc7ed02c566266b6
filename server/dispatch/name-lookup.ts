import type Database from 'better-sqlite3';
import type { AssigneeKind } from '@/lib/domain/incident';
import { actorLabel } from '@/lib/names/actor-label';
import { departmentLabel, vehicleLabel, workerLabel, type Lang } from '@/lib/names/unit-label';

/**
 * Names for the ids the dispatch data carries (assignees, actors), looked up where the responses are
 * assembled so that every page shows the same names. A unit that is not in the registry keeps its id in the
 * label ("巡逻车 veh-00057"): an operator must still be able to tell which one it was.
 */
export interface NameLookup {
  /** `isMasked`: personal names (grid workers) as the wall shows them, "张**". */
  assignee(kind: AssigneeKind, id: string, opts?: { isMasked?: boolean; lang?: Lang }): string;
  actor(actor: string, lang?: Lang): string;
  department(id: string, lang?: Lang): string;
}

/** Roles that may read personal data in full (the same set that sees a reporter's name and phone). */
export const PERSONAL_NAME_ROLES: ReadonlySet<string> = new Set(['admin', 'leader', 'dispatcher']);

export function canSeePersonalNames(p: { role: string; isDisplay?: boolean }): boolean {
  return PERSONAL_NAME_ROLES.has(p.role) && !p.isDisplay;
}

export function createNameLookup(sqlite: Database.Database): NameLookup {
  const vehicle = sqlite.prepare<
    [string],
    { name: string | null; plate: string | null; kind: string | null }
  >('SELECT name, plate, kind FROM vehicles WHERE id = ?');
  const worker = sqlite.prepare<[string], { name: string | null; role: string | null }>(
    'SELECT name, role FROM workers WHERE id = ?',
  );
  const department = sqlite.prepare<[string], { name: string; kind: string }>(
    'SELECT name, kind FROM departments WHERE id = ?',
  );
  const user = sqlite.prepare<[string], { displayName: string | null }>(
    'SELECT display_name AS displayName FROM users WHERE username = ?',
  );
  const departmentName = (id: string, lang: Lang = 'zh') =>
    departmentLabel({ id, ...department.get(id) }, lang);
  return {
    assignee(kind, id, opts = {}) {
      const lang = opts.lang ?? 'zh';
      if (kind === 'vehicle') return vehicleLabel({ id, ...vehicle.get(id) }, lang);
      if (kind === 'worker') return workerLabel({ id, ...worker.get(id) }, { lang, isMasked: opts.isMasked });
      return departmentName(id, lang);
    },
    actor: (actor, lang = 'zh') => actorLabel(actor, (u) => user.get(u)?.displayName, lang),
    department: departmentName,
  };
}
