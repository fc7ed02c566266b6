import Flatbush from 'flatbush';
import { toWgs84 } from '../geo/crs';
import { regionLevelOf, regionPrefix } from '../domain/region-code';
import type { Crs } from '../domain/enums';
import { IssueList } from './issues';
import {
  areaOf,
  bboxOf,
  checkPolygonal,
  intersectionArea,
  labelPoint,
  m2PerDeg2,
  toGeometry,
  type MultiPolygon,
  type Position,
} from './polygon-check';
import { parseCrs, type RawTerritoryFeature } from './read-territory';

export type StoredLevel = 'city' | 'district' | 'town' | 'community' | 'grid';

/** A checked feature, ready to upsert: geometry in WGS-84, parent resolved. */
export interface TerritoryFeature {
  index: number;
  code: string;
  name: string;
  level: StoredLevel;
  /** The nearest region above it (in the database or the file); null at the top. */
  parentCode: string | null;
  /** GeoJSON geometry text as stored. */
  geometry: string;
  center: Position;
  polygons: MultiPolygon;
}

/** What the database already holds, as the checks need it. */
export interface ExistingTerritory {
  /** The stored level of a region or grid code, or null when unknown. */
  levelOf(code: string): StoredLevel | null;
  /** A stored community's outline (null: none or not stored). */
  communityOutline(code: string): MultiPolygon | null;
  /** Stored grids of a community (their outlines), for the overlap check. */
  gridsOf(communityCode: string): { code: string; polygons: MultiPolygon }[];
}

/** A grid must lie inside its community for at least this share of its area (boundaries are drawn by hand). */
export const GRID_INSIDE_MIN = 0.98;
/** Sibling grids overlapping by less than this (m²) are drawing noise, not worth a warning. */
export const OVERLAP_MIN_M2 = 1;
const NAME_MAX_CHARS = 64;

export interface TerritoryCheck {
  features: TerritoryFeature[];
  errors: IssueList;
  warnings: IssueList;
}

export function featurePlace(index: number, code?: string): string {
  return code ? `feature ${index} (${code})` : `feature ${index}`;
}

function codeOf(raw: unknown): string | null {
  // A .dbf numeric field hands back a number; 15 digits are still exact in a double.
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) return String(raw);
  if (typeof raw === 'string') return raw.trim();
  return null;
}

/**
 * Checks every feature of a territory file and resolves where each one hangs. Errors (each with the
 * feature's index and code) mean nothing may be written; warnings do not stop the import.
 *
 * Rules: codes are 12 digits (a region; its level follows from the code) or 15 (a grid); a grid sits under a
 * community, a community under its town, a town under its district, each in the database or the same file;
 * names are present; polygons are valid; a grid lies ≥ 98 % inside its community; sibling grids overlapping
 * are warned about with both codes and the area.
 */
export async function checkTerritory(
  features: AsyncIterable<RawTerritoryFeature>,
  fileCrs: Crs,
  existing: ExistingTerritory,
  issues: { errors?: IssueList; warnings?: IssueList } = {},
): Promise<TerritoryCheck> {
  const errors = issues.errors ?? new IssueList();
  const warnings = issues.warnings ?? new IssueList();
  const byCode = new Map<string, TerritoryFeature>();
  const out: TerritoryFeature[] = [];
  let provinces = 0;

  for await (const raw of features) {
    const code = codeOf(raw.code);
    const at = featurePlace(raw.index, code ?? undefined);
    if (!code) {
      errors.add(at, '缺少区划代码 code', 'code');
      continue;
    }
    const level = /^\d{12}$|^\d{15}$/.test(code) ? regionLevelOf(code) : null;
    if (!level) {
      errors.add(at, `区划代码须为 12 位（区划）或 15 位（网格）数字，而不是 "${code}"`, 'code');
      continue;
    }
    if (level === 'province') {
      provinces++;
      continue;
    }
    const name =
      typeof raw.name === 'string' ? raw.name.trim() : typeof raw.name === 'number' ? String(raw.name) : '';
    if (!name) errors.add(at, '缺少名称 name', 'name');
    else if (name.length > NAME_MAX_CHARS) errors.add(at, `名称超过 ${NAME_MAX_CHARS} 字`, 'name');
    if (byCode.has(code)) {
      errors.add(at, `区划代码重复（与 feature ${byCode.get(code)!.index} 相同）`, 'code');
      continue;
    }
    const crs = raw.crs === undefined || raw.crs === null || raw.crs === '' ? fileCrs : parseCrs(raw.crs);
    if (!crs) {
      errors.add(at, `不支持的坐标系 crs "${String(raw.crs)}"（可用 wgs84、gcj02、bd09）`, 'crs');
      continue;
    }
    const convert = crs === 'wgs84' ? undefined : (p: Position) => toWgs84(p[0], p[1], crs);
    const checked = checkPolygonal(raw.geometry, convert);
    if (!checked.ok) {
      errors.add(at, checked.message, 'geometry');
      continue;
    }
    const f: TerritoryFeature = {
      index: raw.index,
      code,
      name,
      level,
      parentCode: null,
      geometry: JSON.stringify(toGeometry(checked.polygons)),
      center: labelPoint(checked.polygons),
      polygons: checked.polygons,
    };
    byCode.set(code, f);
    out.push(f);
  }
  if (provinces > 0) warnings.add('file', `${provinces} 个省级区划未导入（大屏的最上层为市或区县）`);

  const levelOf = (code: string): StoredLevel | null => byCode.get(code)?.level ?? existing.levelOf(code);
  for (const f of out) {
    const at = featurePlace(f.index, f.code);
    const p = regionPrefix(f.code);
    const need = (parent: string, level: StoredLevel, label: string): boolean => {
      if (levelOf(parent) === level) {
        f.parentCode = parent;
        return true;
      }
      errors.add(at, `上级${label} ${parent} 不存在（数据库和本文件中都没有）`, 'code');
      return false;
    };
    if (f.level === 'grid') need(f.code.slice(0, 12), 'community', '社区');
    else if (f.level === 'community') need(`${p.slice(0, 9)}000`, 'town', '街道/乡镇');
    else if (f.level === 'town') need(`${p.slice(0, 6)}000000`, 'district', '区县');
    else if (f.level === 'district') {
      const city = `${p.slice(0, 4)}00000000`;
      f.parentCode = levelOf(city) === 'city' ? city : null;
    }
  }
  checkGridsInside(out, byCode, existing, errors);
  warnOverlaps(out, existing, warnings);
  return { features: out, errors, warnings };
}

function checkGridsInside(
  features: TerritoryFeature[],
  byCode: Map<string, TerritoryFeature>,
  existing: ExistingTerritory,
  errors: IssueList,
): void {
  for (const g of features) {
    if (g.level !== 'grid' || !g.parentCode) continue;
    const outline = byCode.get(g.parentCode)?.polygons ?? existing.communityOutline(g.parentCode);
    if (!outline) continue;
    const area = areaOf(g.polygons);
    let inside: number;
    try {
      inside = intersectionArea(g.polygons, outline) / area;
    } catch {
      continue; // the clipper gave up on a degenerate case: no verdict rather than a false one
    }
    if (inside < GRID_INSIDE_MIN)
      errors.add(
        featurePlace(g.index, g.code),
        `网格只有 ${(inside * 100).toFixed(1)}% 在社区 ${g.parentCode} 之内（至少 ${GRID_INSIDE_MIN * 100}%）`,
        'geometry',
      );
  }
}

/** Sibling grids (same community) that share area: warned with both codes and the area in m². */
function warnOverlaps(features: TerritoryFeature[], existing: ExistingTerritory, warnings: IssueList): void {
  const byCommunity = new Map<string, TerritoryFeature[]>();
  for (const g of features)
    if (g.level === 'grid' && g.parentCode) {
      const list = byCommunity.get(g.parentCode) ?? [];
      list.push(g);
      byCommunity.set(g.parentCode, list);
    }
  for (const [community, fileGrids] of byCommunity) {
    const inFile = new Set(fileGrids.map((g) => g.code));
    const all: { code: string; polygons: MultiPolygon; index?: number }[] = [
      ...fileGrids,
      ...existing.gridsOf(community).filter((g) => !inFile.has(g.code)),
    ];
    if (all.length < 2) continue;
    const boxes = all.map((g) => bboxOf(g.polygons));
    const index = new Flatbush(all.length);
    for (const b of boxes) index.add(b[0], b[1], b[2], b[3]);
    index.finish();
    for (let i = 0; i < fileGrids.length; i++) {
      const a = all[i]!;
      for (const j of index.search(...boxes[i]!)) {
        // Pairs inside the file once (i < j); a file grid against a stored one always.
        if (j === i || (j < fileGrids.length && j < i)) continue;
        const b = all[j]!;
        let overlap: number;
        try {
          overlap = intersectionArea(a.polygons, b.polygons);
        } catch {
          continue;
        }
        const m2 = overlap * m2PerDeg2(boxes[i]![1]);
        if (m2 >= OVERLAP_MIN_M2)
          warnings.add(
            featurePlace(fileGrids[i]!.index, a.code),
            `与网格 ${b.code} 重叠约 ${Math.round(m2)} 平方米`,
            'geometry',
          );
      }
    }
  }
}
