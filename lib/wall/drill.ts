import { regionPrefix } from '../domain/region-code';

/**
 * Where a click on an area drills to: the region one level below the current scope that contains the
 * clicked area (a grid or community code). Codes nest by prefix (DESIGN §2), so this is string arithmetic.
 * `topPrefixLen` is the prefix length of what the whole-territory wall stands for (6 for a district).
 */
export function drillTarget(current: string | null, clicked: string, topPrefixLen = 6): string | null {
  const len = current ? regionPrefix(current).length : topPrefixLen;
  if (!/^\d{12}(\d{3})?$/.test(clicked)) return null;
  const pad = (p: string) => p.padEnd(12, '0');
  if (len < 4) return pad(clicked.slice(0, 4));
  if (len < 6) return pad(clicked.slice(0, 6));
  if (len < 9) return pad(clicked.slice(0, 9));
  if (len < 12) return clicked.slice(0, 12);
  if (len === 12 && clicked.length === 15) return clicked;
  return null;
}
