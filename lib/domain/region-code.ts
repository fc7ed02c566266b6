import type { RegionLevel } from './enums';

/**
 * 12-digit statistical division codes: 2 province + 2 city + 2 county + 3 township + 3 village; a grid adds
 * 3 digits (15). The meaningful prefix of a code decides membership: a grid belongs to every region whose
 * prefix it starts with.
 */
export function regionPrefix(code: string): string {
  if (code.length === 15) return code;
  if (!/^\d{12}$/.test(code)) return code;
  if (code.endsWith('0000000000')) return code.slice(0, 2);
  if (code.endsWith('00000000')) return code.slice(0, 4);
  if (code.endsWith('000000')) return code.slice(0, 6);
  if (code.endsWith('000')) return code.slice(0, 9);
  return code;
}

export function regionLevelOf(code: string): RegionLevel | 'province' | null {
  if (/^\d{15}$/.test(code)) return 'grid';
  if (!/^\d{12}$/.test(code)) return null;
  switch (regionPrefix(code).length) {
    case 2:
      return 'province';
    case 4:
      return 'city';
    case 6:
      return 'district';
    case 9:
      return 'town';
    default:
      return 'community';
  }
}

export function isRegionCode(code: string): boolean {
  return /^\d{12}$/.test(code) || /^\d{15}$/.test(code);
}

/** True when `gridOrRegionCode` lies inside `regionCode` (or is it). */
export function isWithinRegion(gridOrRegionCode: string | null | undefined, regionCode: string): boolean {
  if (!gridOrRegionCode) return false;
  return gridOrRegionCode.startsWith(regionPrefix(regionCode));
}
