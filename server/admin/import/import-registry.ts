import { DEPARTMENT_CATEGORIES } from '@/lib/world/entities';
import type { DepartmentKind } from '@/lib/world/world-types';
import { IssueList, ImportFileError, type ImportResult, type RegistryKind } from '@/lib/import/issues';
import { readTable, type Table } from '@/lib/import/read-table';
import {
  checkRegistryRow,
  REGISTRY_COLUMNS,
  type RegistryLookups,
  type RegistryRowMap,
} from '@/lib/import/registry-rows';
import { sql, type SQL } from 'drizzle-orm';
import { flag, inList, type SqlRunner } from '../../db/sql-db';
import { GridLocator } from '../../live/grid-locator';
import { notifyProvisioningChange } from '../../protocols/provisioning-events';
import { invalidateRegionIndex } from '../../stats/region-index';
import { applyRegistryToLive, type LiveRegistryRow } from './apply-registry-to-live';
import {
  importResultBuilder,
  type ImportContext,
  type ImportFile,
  type ImportOptions,
} from './import-context';
import { auditRefusedImport, recordImportRun, sha256Of } from './record-import-run';
import { refreshWorldInfo } from './refresh-world-info';
import { upsertRows } from './upsert-rows';
import { latestImportRun, retryStaleChecks, takeImportWrite, withImportLock } from './with-import-lock';

type Row = Record<string, string | number | boolean | null>;

/** Stored rows read per query while planning (one JSON parameter, so no variable limit applies). */
const PLAN_READ_IDS = 5_000;

/** Per registry: its table, and which file column fills which database column. */
const SPECS: Record<
  RegistryKind,
  { table: string; columns: [field: string, column: string][]; isDevice: boolean }
> = {
  cameras: {
    table: 'cameras',
    columns: [
      ['name', 'name'],
      ['lng', 'lng'],
      ['lat', 'lat'],
      ['regionCode', 'region_code'],
      ['streamUrl', 'stream_url'],
    ],
    isDevice: true,
  },
  vehicles: {
    table: 'vehicles',
    columns: [
      ['name', 'name'],
      ['plate', 'plate'],
      ['kind', 'kind'],
      ['terminal', 'terminal_phone'],
      ['departmentId', 'department_id'],
    ],
    isDevice: true,
  },
  workers: {
    table: 'workers',
    columns: [
      ['name', 'name'],
      ['phone', 'phone'],
      ['gridCode', 'grid_code'],
      ['role', 'role'],
    ],
    isDevice: true,
  },
  departments: {
    table: 'departments',
    columns: [
      ['name', 'name'],
      ['kind', 'kind'],
      ['regionCode', 'region_code'],
      ['phone', 'phone'],
    ],
    isDevice: false,
  },
};

const REQUIRED_HEADERS: Record<RegistryKind, string[]> = {
  cameras: ['id', 'name'],
  vehicles: ['id', 'name'],
  workers: ['id', 'name'],
  departments: ['id', 'name', 'kind'],
};

/**
 * The stored codes and ids a registry's rows are checked against, read before the (synchronous) row checks:
 * only the ones this kind of registry refers to.
 */
async function lookupsFor(q: SqlRunner, kind: RegistryKind): Promise<RegistryLookups> {
  const set = async (query: SQL) => new Set((await q.all<{ k: string }>(query)).map((r) => r.k));
  const none = new Set<string>();
  const regions = kind === 'cameras' || kind === 'departments' || kind === 'workers';
  const region = regions ? await set(sql`SELECT code AS k FROM regions`) : none;
  const grid =
    kind !== 'vehicles' && kind !== 'departments' ? await set(sql`SELECT code AS k FROM grids`) : none;
  const dept = kind === 'vehicles' ? await set(sql`SELECT id AS k FROM departments`) : none;
  const terminals =
    kind === 'vehicles'
      ? new Map(
          (
            await q.all<{ t: string; id: string }>(
              sql`SELECT terminal_phone AS t, id FROM vehicles WHERE terminal_phone IS NOT NULL`,
            )
          ).map((r) => [r.t, r.id]),
        )
      : new Map<string, string>();
  return {
    hasRegion: (c) => region.has(c),
    hasGrid: (c) => grid.has(c),
    hasDepartment: (id) => dept.has(id),
    terminalOwner: (t) => terminals.get(t) ?? null,
  };
}

/**
 * `npm run import -- cameras|vehicles|workers|departments` and `POST /api/admin/import/{kind}`: a CSV
 * (UTF-8 or GBK) or XLSX with headers in row 1; every row checked (errors carry the row and field), then, only
 * when nothing is wrong, upserted by id in one transaction with its import run and audit record. A column the
 * file does not have leaves that field as stored; an empty cell clears it. Rows of a device imported over one
 * registered by its own reports make it assigned. The running walls pick up new and renamed entities at once.
 */
export function importRegistry(
  ctx: ImportContext,
  kind: RegistryKind,
  file: ImportFile,
  opts: ImportOptions,
): Promise<ImportResult> {
  return withImportLock(ctx.sql, () => retryStaleChecks(() => attemptRegistry(ctx, kind, file, opts)));
}

async function attemptRegistry(
  ctx: ImportContext,
  kind: RegistryKind,
  file: ImportFile,
  opts: ImportOptions,
): Promise<ImportResult> {
  const db = ctx.sql;
  const seen = await latestImportRun(db);
  const errors = new IssueList();
  const warnings = new IssueList();
  const sha256 = sha256Of(file.bytes);
  const result = importResultBuilder(kind, file, opts, sha256, { errors, warnings });
  let table: Table | null = null;
  try {
    table = await readTable(file.bytes, REGISTRY_COLUMNS[kind]);
  } catch (err) {
    if (!(err instanceof ImportFileError)) throw err;
    errors.add(err.at, err.message);
  }
  const records: RegistryRowMap[RegistryKind][] = [];
  if (table) {
    for (const h of REQUIRED_HEADERS[kind])
      if (!table.headers.includes(h))
        errors.add('row 1', `表头缺少 ${h}（需要：${REGISTRY_COLUMNS[kind].join(',')}）`, h);
    if (errors.count === 0) {
      const lookups = await lookupsFor(db, kind);
      const rowOfId = new Map<string, number>();
      const rowOfTerminal = new Map<string, number>();
      for (const row of table.rows) {
        // Duplicates by the cell as written, so a second row is caught even when the first has other errors.
        const id = row.values.id ?? '';
        const seen = id ? rowOfId.get(id) : undefined;
        if (seen !== undefined) {
          errors.add(`row ${row.row}`, `id ${id} 与第 ${seen} 行重复`, 'id');
          continue;
        }
        if (id) rowOfId.set(id, row.row);
        const rec = checkRegistryRow(kind, row, lookups, errors);
        if (!rec) continue;
        if ('terminal' in rec && rec.terminal) {
          const other = rowOfTerminal.get(rec.terminal);
          if (other !== undefined) {
            errors.add(`row ${row.row}`, `终端号 ${rec.terminal} 与第 ${other} 行重复`, 'terminal');
            continue;
          }
          rowOfTerminal.set(rec.terminal, row.row);
        }
        if ('kind' in rec && kind === 'departments' && rec.kind && !(rec.kind in DEPARTMENT_CATEGORIES))
          warnings.add(
            `row ${row.row}`,
            `部门类型 ${rec.kind} 不是内置类型：该部门暂不按事件类别参与推荐`,
            'kind',
          );
        records.push(rec);
      }
      if (records.length === 0 && errors.count === 0) errors.add('file', '文件中没有数据行');
    }
  }
  if (errors.count > 0 || !table) {
    if (!opts.dryRun) await auditRefusedImport(ctx, { kind, fileName: file.name, sha256 }, errors.count);
    return result({ ok: false });
  }

  const plan = await planRows(ctx, kind, table.headers, records, warnings);
  const counts = { created: 0, updated: 0, unchanged: 0 };
  for (const p of plan) counts[p.change]++;
  if (opts.dryRun) return result(counts);

  const spec = SPECS[kind];
  const cols = [...spec.columns.map(([, c]) => c), ...(kind === 'cameras' ? ['grid_code'] : [])];
  const insertCols = ['id', ...cols, ...(spec.isDevice ? ['is_unassigned', 'created_at'] : ['categories'])];
  const updateCols = [...cols, ...(spec.isDevice ? ['is_unassigned'] : ['categories'])];
  const now = ctx.clock.now();
  const changed = plan.filter((p) => p.change !== 'unchanged');
  const runId = await db.transaction(async (tx) => {
    await takeImportWrite(tx, seen);
    await upsertRows(tx, {
      table: spec.table,
      key: 'id',
      columns: insertCols,
      update: updateCols,
      rows: changed.map((p) =>
        insertCols.map((c) =>
          c === 'is_unassigned'
            ? false
            : c === 'created_at'
              ? now
              : c === 'categories'
                ? JSON.stringify(DEPARTMENT_CATEGORIES[p.row.kind as DepartmentKind] ?? [])
                : (p.row[c] ?? null),
        ),
      ),
    });
    await refreshWorldInfo(tx, now, { isTerritory: false });
    return recordImportRun(tx, ctx, { kind, fileName: file.name, sha256, ...counts });
  });
  if (ctx.live)
    applyRegistryToLive(
      ctx.live,
      kind,
      plan
        .filter((p) => p.change !== 'unchanged')
        .map((p): LiveRegistryRow => ({
          id: String(p.row.id),
          name: (p.row.name as string | null) ?? null,
          kind: ((kind === 'workers' ? p.row.role : p.row.kind) as string | null) ?? null,
          lng: p.row.lng as number | null | undefined,
          lat: p.row.lat as number | null | undefined,
          streamUrl: p.row.stream_url as string | null | undefined,
        })),
    );
  invalidateRegionIndex(db);
  // Terminal numbers may have changed: the JT/T 808 gateway re-reads its directory now, not on its timer.
  if (kind === 'vehicles' && counts.created + counts.updated > 0) notifyProvisioningChange();
  return result({ ...counts, runId });
}

/**
 * Each record merged over what is stored (columns the file lacks keep their stored value) and compared with
 * it. A camera's grid follows from its position; one placed outside every grid is kept and warned about.
 */
async function planRows(
  ctx: ImportContext,
  kind: RegistryKind,
  headers: string[],
  records: RegistryRowMap[RegistryKind][],
  warnings: IssueList,
): Promise<{ row: Row; change: 'created' | 'updated' | 'unchanged' }[]> {
  const spec = SPECS[kind];
  const db = ctx.sql;
  const storedById = new Map<string, Row>();
  for (let i = 0; i < records.length; i += PLAN_READ_IDS) {
    const ids = records.slice(i, i + PLAN_READ_IDS).map((r) => r.id);
    for (const r of await db.all<Row>(
      sql`SELECT * FROM ${sql.raw(spec.table)} WHERE id IN ${inList(db, ids)}`,
    ))
      storedById.set(String(r.id), r);
  }
  const has = new Set(headers);
  const needsGrids = kind === 'cameras';
  const locator: GridLocator | null = needsGrids
    ? (ctx.grids?.() ??
      new GridLocator(
        await db.all<{ code: string; geometry: string }>(sql`SELECT code, geometry FROM grids`),
      ))
    : null;
  const grids = () => locator!;
  return records.map((rec) => {
    const old = storedById.get(rec.id);
    const row: Row = { id: rec.id };
    for (const [field, column] of spec.columns) {
      // Position is one thing: lng and lat come from the file together or not at all.
      const from = field === 'lat' ? 'lng' : field;
      row[column] = has.has(from)
        ? ((rec as unknown as Record<string, string | number | null>)[field] ?? null)
        : (old?.[column] ?? null);
    }
    if (kind === 'cameras') {
      if (typeof row.lng === 'number' && typeof row.lat === 'number') {
        row.grid_code = grids().locate(row.lng, row.lat);
        if (row.grid_code === null && grids().size > 0)
          warnings.add(
            `camera ${rec.id}`,
            `位置 (${row.lng}, ${row.lat}) 不在任何网格内：已导入，未归入网格`,
          );
      } else row.grid_code = has.has('lng') ? null : (old?.grid_code ?? null);
    }
    if (!old) return { row, change: 'created' };
    const isSame =
      Object.keys(row).every((c) => row[c] === old[c]) &&
      (!SPECS[kind].isDevice || !flag(old.is_unassigned as number | boolean | null));
    return { row, change: isSame ? 'unchanged' : 'updated' };
  });
}
