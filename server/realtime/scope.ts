import type { IncidentView } from '@/lib/domain/incident';
import { isWithinRegion, regionPrefix } from '@/lib/domain/region-code';

/**
 * What one wall is scoped to. Entities are filtered by the region's bounding box (they move, and a box test
 * is what a per-tick filter can afford); incidents by grid-code prefix, which is exact.
 */
export interface Scope {
  key: string;
  regionCode: string | null;
  bbox: [number, number, number, number] | null;
  containsPoint(lng: number, lat: number): boolean;
  containsIncident(v: IncidentView): boolean;
}

export const WHOLE_TERRITORY: Scope = {
  key: '*',
  regionCode: null,
  bbox: null,
  containsPoint: () => true,
  containsIncident: () => true,
};

/** Margin around a scoped region's box so units on its boundary roads stay visible (degrees, ~1 km). */
const SCOPE_MARGIN_DEG = 0.01;

export function regionScope(regionCode: string, bbox: [number, number, number, number] | null): Scope {
  const prefix = regionPrefix(regionCode);
  const b = bbox
    ? ([
        bbox[0] - SCOPE_MARGIN_DEG,
        bbox[1] - SCOPE_MARGIN_DEG,
        bbox[2] + SCOPE_MARGIN_DEG,
        bbox[3] + SCOPE_MARGIN_DEG,
      ] as [number, number, number, number])
    : null;
  return {
    key: regionCode,
    regionCode,
    bbox,
    containsPoint: b ? (lng, lat) => lng >= b[0] && lng <= b[2] && lat >= b[1] && lat <= b[3] : () => false,
    containsIncident: (v) =>
      isWithinRegion(v.gridCode, regionCode) || (prefix.length < 6 && v.gridCode === null),
  };
}
