import { z } from 'zod';

/**
 * GET /api/admin/devices/{cameras,workers}: one page of cameras or grid workers for the admin devices page.
 * Shared by the server (parses the query, builds the page) and the page (reads it).
 */

/** Rows in one page at most: a page is read by a person, and a province has 2 M cameras. */
export const UNIT_PAGE_MAX = 200;
export const UNIT_PAGE_DEFAULT = 50;
/**
 * Matches counted at most: the count stops here so a broad search over millions of rows stays one bounded
 * scan; the page then says "10000+".
 */
export const UNIT_COUNT_CAP = 10_000;

export const UnitListQuerySchema = z.object({
  q: z.string().trim().max(64, '搜索词至多 64 个字符').default(''),
  state: z.enum(['all', 'enabled', 'disabled']).default('all'),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(UNIT_PAGE_MAX).default(UNIT_PAGE_DEFAULT),
});
export type UnitListQuery = z.infer<typeof UnitListQuerySchema>;
export type UnitStateFilter = UnitListQuery['state'];

export type UnitKind = 'camera' | 'worker';

/** One camera or grid worker as the admin devices page lists it. */
export interface UnitRow {
  id: string;
  name: string | null;
  /** camera: its program (xueliang…); worker: its role (full_time…). */
  type: string | null;
  gridCode: string | null;
  regionCode: string | null;
  /** Registered by its own report, not by an import (FIELD_AUTO_REGISTER). */
  isUnassigned: boolean;
  disabledAt: number | null;
  /** The live status name (online / offline / fault; on_duty / off_duty); null before any report. */
  status: string | null;
  lastReportAt: number | null;
  isStale: boolean;
}

export interface UnitPage {
  rows: UnitRow[];
  total: number;
  /** true when more than UNIT_COUNT_CAP match (total is then the cap). */
  isTotalCapped: boolean;
  page: number;
  pageSize: number;
}
