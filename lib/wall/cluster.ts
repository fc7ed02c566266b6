/**
 * Screen-grid aggregation for zoomed-out views: points falling in one cell of CLUSTER_CELL_PX become one
 * aggregate drawn at their mean position, coloured by its WORST member (an offline camera or a 特急
 * incident must never disappear inside a cluster). O(n) with one Map; run at most once a second and on
 * zoom changes, never per batch.
 */

/** Cell size on screen; ~ one thumb at 5 m on a 1080p wall. */
export const CLUSTER_CELL_PX = 56;
/** At and above this zoom every point is drawn on its own. */
export const CLUSTER_BELOW_ZOOM = 14;
/**
 * Past this many members per cluster on average, the cells double (up to CLUSTER_MAX_CELL_FACTOR times). A
 * province's 1 M units in 56 px cells were ~650 circles of ~1,500 each, so large they overlapped into one
 * grey carpet that told a duty officer nothing (issue 20); a district's 100 k stay at 56 px.
 */
export const CLUSTER_MAX_MEAN_MEMBERS = 1_000;
export const CLUSTER_MAX_CELL_FACTOR = 4;
/** A circle's radius stays this far (px) inside half its cell, so circles of neighbouring cells do not touch. */
export const CLUSTER_GAP_PX = 4;
/** MapLibre's world is 512 px wide at zoom 0. */
const WORLD_PX = 512;

export interface Clusters {
  length: number;
  /** The cell these were aggregated in (screen px): it bounds how large a circle may be drawn. */
  cellPx: number;
  /** Interleaved [lng, lat]. */
  position: Float64Array;
  count: Uint32Array;
  /** Look code of the worst member. */
  worstLook: Uint8Array;
  /** RGBA of the worst member's look. */
  color: Uint8Array;
  /** A representative member index (the worst one), for picking a single-member cluster. */
  member: Uint32Array;
}

export interface ClusterInput {
  count: number;
  /** Interleaved [lng, lat] per index. */
  position: Float64Array;
  /** Only indexes with present[i] === 1 take part. */
  present: Uint8Array;
  look: Uint8Array;
  severity: Uint8Array;
  colors: readonly (readonly [number, number, number, number])[];
}

export function cellDegrees(zoom: number, cellPx = CLUSTER_CELL_PX): number {
  return (360 / (WORLD_PX * 2 ** zoom)) * cellPx;
}

export function clusterPoints(input: ClusterInput, zoom: number, cellPx = CLUSTER_CELL_PX): Clusters {
  const cell = cellDegrees(zoom, cellPx);
  const cellOf = new Map<number, number>();
  const n = input.count;
  // Upper bound: every point its own cluster; trimmed with subarray at the end.
  const sumLng = new Float64Array(n);
  const sumLat = new Float64Array(n);
  const count = new Uint32Array(n);
  const worstLook = new Uint8Array(n);
  const member = new Uint32Array(n);
  let m = 0;
  const { position: pos, present, look, severity } = input;
  for (let i = 0; i < n; i++) {
    if (present[i] !== 1) continue;
    const lng = pos[2 * i]!;
    const lat = pos[2 * i + 1]!;
    // Cells are squares in degrees: close enough to square on screen at the latitudes of China.
    const key = Math.floor(lng / cell) * 4_194_304 + Math.floor(lat / cell);
    let c = cellOf.get(key);
    if (c === undefined) {
      c = m++;
      cellOf.set(key, c);
      worstLook[c] = look[i]!;
      member[c] = i;
    } else if (severity[look[i]!]! > severity[worstLook[c]!]!) {
      worstLook[c] = look[i]!;
      member[c] = i;
    }
    sumLng[c] = sumLng[c]! + lng;
    sumLat[c] = sumLat[c]! + lat;
    count[c]!++;
  }
  const position = new Float64Array(2 * m);
  const color = new Uint8Array(4 * m);
  for (let c = 0; c < m; c++) {
    position[2 * c] = sumLng[c]! / count[c]!;
    position[2 * c + 1] = sumLat[c]! / count[c]!;
    const rgba = input.colors[worstLook[c]!]!;
    color.set(rgba, 4 * c);
  }
  return {
    length: m,
    cellPx,
    position,
    count: count.subarray(0, m),
    worstLook: worstLook.subarray(0, m),
    color,
    member: member.subarray(0, m),
  };
}

/**
 * clusterPoints in CLUSTER_CELL_PX cells (times the wall's pixel scale), doubled while the clusters hold
 * more than CLUSTER_MAX_MEAN_MEMBERS on average: fewer, separate circles instead of a carpet.
 */
export function clusterReadable(input: ClusterInput, zoom: number, pixelScale = 1): Clusters {
  const base = CLUSTER_CELL_PX * pixelScale;
  let c = clusterPoints(input, zoom, base);
  let members = 0;
  for (let i = 0; i < c.length; i++) members += c.count[i]!;
  while (
    c.length > 0 &&
    members / c.length > CLUSTER_MAX_MEAN_MEMBERS &&
    c.cellPx < base * CLUSTER_MAX_CELL_FACTOR
  )
    c = clusterPoints(input, zoom, c.cellPx * 2);
  return c;
}

/** The largest radius (in units of the wall's pixel scale) a circle of these clusters may have. */
export function clusterMaxRadius(c: Clusters, pixelScale: number): number {
  return c.cellPx / (2 * pixelScale) - CLUSTER_GAP_PX;
}
