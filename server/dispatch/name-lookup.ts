import { sql, type SQL } from 'drizzle-orm';
import type { AssigneeKind } from '@/lib/domain/incident';
import { actorLabel } from '@/lib/names/actor-label';
import { departmentLabel, vehicleLabel, workerLabel, type Lang } from '@/lib/names/unit-label';
import { inList, type SqlRunner } from '../db/sql-db';

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

/** The ids a response names: assignees by kind, and actors (usernames, `ingest:…`, `simulator`…). */
export interface NameRefs {
  assignees?: Iterable<readonly [AssigneeKind, string]>;
  actors?: Iterable<string>;
}

export interface NameResolver {
  /** Reads every name the refs need in one query per table; the lookup answers from what was read. */
  load(refs: NameRefs): Promise<NameLookup>;
}

type Row<T> = T & { id: string };

export function createNameLookup(db: SqlRunner): NameResolver {
  const byId = async <T>(select: SQL, ids: Set<string>): Promise<Map<string, Row<T>>> => {
    if (ids.size === 0) return new Map();
    const rows = await db.all<Row<T>>(sql`${select} IN ${inList(db, [...ids])}`);
    return new Map(rows.map((r) => [r.id, r]));
  };
  return {
    async load(refs) {
      const want: Record<AssigneeKind, Set<string>> = {
        vehicle: new Set(),
        worker: new Set(),
        department: new Set(),
      };
      for (const [kind, id] of refs.assignees ?? []) want[kind].add(id);
      const actors = new Set(refs.actors ?? []);
      const [vehicles, workers, departments, users] = await Promise.all([
        byId<{ name: string | null; plate: string | null; kind: string | null }>(
          sql`SELECT id, name, plate, kind FROM vehicles WHERE id`,
          want.vehicle,
        ),
        byId<{ name: string | null; role: string | null }>(
          sql`SELECT id, name, role FROM workers WHERE id`,
          want.worker,
        ),
        byId<{ name: string; kind: string }>(
          sql`SELECT id, name, kind FROM departments WHERE id`,
          want.department,
        ),
        byId<{ displayName: string | null }>(
          sql`SELECT username AS id, display_name AS "displayName" FROM users WHERE username`,
          actors,
        ),
      ]);
      const departmentName = (id: string, lang: Lang = 'zh') =>
        departmentLabel({ ...departments.get(id), id }, lang);
      return {
        assignee(kind, id, opts = {}) {
          const lang = opts.lang ?? 'zh';
          if (kind === 'vehicle') return vehicleLabel({ ...vehicles.get(id), id }, lang);
          if (kind === 'worker')
            return workerLabel({ ...workers.get(id), id }, { lang, isMasked: opts.isMasked });
          return departmentName(id, lang);
        },
        actor: (actor, lang = 'zh') => actorLabel(actor, (u) => users.get(u)?.displayName, lang),
        department: departmentName,
      };
    },
  };
}
