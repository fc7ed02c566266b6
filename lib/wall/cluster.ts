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

/**
 * Per-cell sums while aggregating, reused from call to call: a province wall aggregates its 1 M units every
 * sweep, and fresh arrays of that size each time were most of what its collector had to do. Grown to the
 * largest input seen (the store's own capacity bounds it: 33 bytes a point, ~66 MB held for a province's
 * 2 M cameras, against 25 MB allocated and dropped per pass before); results are copied out, never shared.
 */
const scratch = {
  capacity: 0,
  ix: new Int32Array(0),
  iy: new Int32Array(0),
  sumLng: new Float64Array(0),
  sumLat: new Float64Array(0),
  count: new Uint32Array(0),
  worstLook: new Uint8Array(0),
  member: new Uint32Array(0),
};

function scratchFor(n: number): typeof scratch {
  if (n > scratch.capacity) {
    const cap = Math.max(n, Math.ceil(scratch.capacity * 1.25), 1024);
    Object.assign(scratch, {
      capacity: cap,
      ix: new Int32Array(cap),
      iy: new Int32Array(cap),
      sumLng: new Float64Array(cap),
      sumLat: new Float64Array(cap),
      count: new Uint32Array(cap),
      worstLook: new Uint8Array(cap),
      member: new Uint32Array(cap),
    });
  }
  return scratch;
}

/** Cells' key: column and row packed into one number (rows of China's latitudes stay far below 2^22). */
const cellKey = (ix: number, iy: number) => ix * 4_194_304 + iy;

/** Aggregates the points into cells of `cell` degrees in the scratch; returns how many cells. */
function aggregate(input: ClusterInput, cell: number): number {
  const n = input.count;
  const s = scratchFor(n);
  const { ix: cx, iy: cy, sumLng, sumLat, count, worstLook, member } = s;
  const cellOf = new Map<number, number>();
  let m = 0;
  const { position: pos, present, look, severity } = input;
  for (let i = 0; i < n; i++) {
    if (present[i] !== 1) continue;
    const lng = pos[2 * i]!;
    const lat = pos[2 * i + 1]!;
    // Cells are squares in degrees: close enough to square on screen at the latitudes of China.
    const ix = Math.floor(lng / cell);
    const iy = Math.floor(lat / cell);
    const key = cellKey(ix, iy);
    let c = cellOf.get(key);
    if (c === undefined) {
      c = m++;
      cellOf.set(key, c);
      cx[c] = ix;
      cy[c] = iy;
      sumLng[c] = 0;
      sumLat[c] = 0;
      count[c] = 0;
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
  return m;
}

/**
 * The scratch's m cells merged in place into cells twice as large, without going back to the points: a cell
 * of 2c degrees is exactly the union of 2 × 2 cells of c (halving a float is exact, so floor(x / 2c) =
 * floor(floor(x / c) / 2)). The worst member is the earliest of the worst, as aggregating the points at 2c
 * picks, and cells keep the order of their first point. Returns how many cells.
 */
function mergeDoubled(m: number, severity: Uint8Array): number {
  const { ix: cx, iy: cy, sumLng, sumLat, count, worstLook, member } = scratch;
  const cellOf = new Map<number, number>();
  let out = 0;
  for (let k = 0; k < m; k++) {
    // Read cell k whole before writing: the cell it merges into is never after it (t ≤ k).
    const ix = Math.floor(cx[k]! / 2);
    const iy = Math.floor(cy[k]! / 2);
    const sLng = sumLng[k]!;
    const sLat = sumLat[k]!;
    const n = count[k]!;
    const look = worstLook[k]!;
    const who = member[k]!;
    const key = cellKey(ix, iy);
    const t = cellOf.get(key);
    if (t === undefined) {
      cellOf.set(key, out);
      cx[out] = ix;
      cy[out] = iy;
      sumLng[out] = sLng;
      sumLat[out] = sLat;
      count[out] = n;
      worstLook[out] = look;
      member[out] = who;
      out++;
      continue;
    }
    const sev = severity[look]!;
    const worst = severity[worstLook[t]!]!;
    if (sev > worst || (sev === worst && who < member[t]!)) {
      worstLook[t] = look;
      member[t] = who;
    }
    sumLng[t] = sumLng[t]! + sLng;
    sumLat[t] = sumLat[t]! + sLat;
    count[t] = count[t]! + n;
  }
  return out;
}

/** The scratch's first m cells as clusters of their own (copied: the scratch is reused). */
function clustersOf(m: number, cellPx: number, colors: ClusterInput['colors']): Clusters {
  const { sumLng, sumLat, count, worstLook, member } = scratch;
  const position = new Float64Array(2 * m);
  const color = new Uint8Array(4 * m);
  for (let c = 0; c < m; c++) {
    position[2 * c] = sumLng[c]! / count[c]!;
    position[2 * c + 1] = sumLat[c]! / count[c]!;
    color.set(colors[worstLook[c]!]!, 4 * c);
  }
  return {
    length: m,
    cellPx,
    position,
    count: count.slice(0, m),
    worstLook: worstLook.slice(0, m),
    color,
    member: member.slice(0, m),
  };
}

export function clusterPoints(input: ClusterInput, zoom: number, cellPx = CLUSTER_CELL_PX): Clusters {
  return clustersOf(aggregate(input, cellDegrees(zoom, cellPx)), cellPx, input.colors);
}

/**
 * clusterPoints in CLUSTER_CELL_PX cells (times the wall's pixel scale), doubled while the clusters hold
 * more than CLUSTER_MAX_MEAN_MEMBERS on average: fewer, separate circles instead of a carpet. The points are
 * read once; each doubling merges the cells (a province's 1 M units took three passes over them a second).
 */
export function clusterReadable(input: ClusterInput, zoom: number, pixelScale = 1): Clusters {
  const base = CLUSTER_CELL_PX * pixelScale;
  let cellPx = base;
  let m = aggregate(input, cellDegrees(zoom, cellPx));
  let members = 0;
  for (let i = 0; i < m; i++) members += scratch.count[i]!;
  while (m > 0 && members / m > CLUSTER_MAX_MEAN_MEMBERS && cellPx < base * CLUSTER_MAX_CELL_FACTOR) {
    m = mergeDoubled(m, input.severity);
    cellPx *= 2;
  }
  return clustersOf(m, cellPx, input.colors);
}

/** The largest radius (in units of the wall's pixel scale) a circle of these clusters may have. */
export function clusterMaxRadius(c: Clusters, pixelScale: number): number {
  return c.cellPx / (2 * pixelScale) - CLUSTER_GAP_PX;
}
