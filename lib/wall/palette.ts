/**
 * The wall's colours, in one place so the map, the legend and the panels agree. Chosen to read on a dark
 * navy wall from across a room: saturated hues, never two statuses that differ only in shade.
 */
import type { RegionLevel } from '../domain/enums';

export type Rgba = [number, number, number, number];

/** What a camera or vehicle is drawn as: its reported status, or stale when the report is too old. */
export const CAMERA_LOOKS = ['online', 'offline', 'fault', 'stale'] as const;
export type CameraLook = (typeof CAMERA_LOOKS)[number];
// No camera shares a hue with an incident (red, orange, yellow, light blue): a fault is magenta, never the
// orange of a 紧急 incident.
export const CAMERA_LOOK_COLOR: Record<CameraLook, Rgba> = {
  online: [46, 213, 115, 230],
  offline: [150, 160, 180, 230],
  fault: [224, 86, 253, 255],
  stale: [120, 110, 170, 230],
};
/**
 * Cameras zoomed out (district and town views): a quiet texture under everything else, small and faint, so a
 * town's thousand cameras never read as incidents nor hide one. Cameras that need attention stand out a
 * little (brighter, not bigger).
 */
export const CAMERA_QUIET_COLOR: Record<CameraLook, Rgba> = {
  online: [46, 213, 115, 70],
  offline: [190, 200, 220, 150],
  fault: [224, 86, 253, 190],
  stale: [150, 140, 200, 110],
};
/** Worst wins inside a cluster: a camera nobody can see outranks one that is only late to report. */
export const CAMERA_LOOK_SEVERITY: Record<CameraLook, number> = { online: 0, stale: 1, fault: 2, offline: 3 };

export const VEHICLE_LOOKS = ['patrol', 'idle', 'responding', 'on_scene', 'offline', 'stale'] as const;
export type VehicleLook = (typeof VEHICLE_LOOKS)[number];
export const VEHICLE_LOOK_COLOR: Record<VehicleLook, Rgba> = {
  patrol: [64, 200, 255, 255],
  idle: [120, 230, 200, 255],
  responding: [255, 77, 79, 255],
  on_scene: [255, 176, 32, 255],
  offline: [120, 130, 150, 200],
  stale: [150, 120, 200, 200],
};
/** In a cluster of units the one that is busiest shows: responding units must be seen. */
export const VEHICLE_LOOK_SEVERITY: Record<VehicleLook, number> = {
  stale: 0,
  offline: 1,
  idle: 2,
  patrol: 3,
  on_scene: 4,
  responding: 5,
};

/** Grid workers: on duty in a hue of their own (no incident, unit or camera uses it), off duty dimmed. */
export const WORKER_LOOKS = ['on_duty', 'off_duty', 'stale'] as const;
export type WorkerLook = (typeof WORKER_LOOKS)[number];
export const WORKER_LOOK_COLOR: Record<WorkerLook, Rgba> = {
  on_duty: [150, 130, 255, 255],
  off_duty: [120, 115, 150, 150],
  stale: [110, 110, 140, 120],
};

/** The outline of an aggregate (a numbered circle of units): white, so it never reads as an incident ring. */
export const CLUSTER_LINE_COLOR: Rgba = [255, 255, 255, 200];

export const PRIORITY_COLOR: Record<number, Rgba> = {
  1: [255, 59, 59, 255],
  2: [255, 140, 26, 255],
  3: [255, 210, 63, 255],
  4: [79, 195, 247, 255],
};

export const LAMP_COLOR = { red: '#ff3b3b', yellow: '#ffd23f', green: '#2ed573' } as const;

/** Grid fill by open-incident count: transparent navy for none, then ever warmer. */
// Translucent: the heat is the background the points are read against, never louder than them.
export const GRID_HEAT: Rgba[] = [
  [20, 60, 110, 30],
  [40, 120, 200, 55],
  [250, 200, 60, 60],
  [255, 140, 26, 75],
  [255, 59, 59, 85],
];
/**
 * The level the map draws areas at: a province's 120,000 grids are 3 px each at its zoom, noise at 5 m and a
 * frame of millions of triangles on software GL, so wider views draw communities or towns (lib/map/area-style
 * `areaLevelForTileZoom`).
 */
export type AreaLevel = 'grid' | 'community' | 'town';

/**
 * Open incidents for heat 1, 2 and 3, and overdue ones for 4, by level. A grid (300–500 households) is hot at
 * 5 open; a community holds ~10 grids and a town ~100 (the generated worlds, and the usual 网格 → 社区 →
 * 街镇 ratios), so they are hot at a comparable density rather than at the grid's count, which would paint a
 * whole province red.
 */
export const AREA_HEAT_STEPS: Record<
  AreaLevel,
  { open: readonly [number, number, number]; overdue: number }
> = {
  grid: { open: [1, 2, 5], overdue: 1 },
  community: { open: [3, 10, 25], overdue: 3 },
  town: { open: [10, 30, 100], overdue: 10 },
};

/** Index into GRID_HEAT: overdue work outranks any count of open incidents. */
export function areaHeatLevel(level: AreaLevel, open: number, overdue: number): number {
  const steps = AREA_HEAT_STEPS[level];
  if (overdue >= steps.overdue) return 4;
  if (open >= steps.open[2]) return 3;
  if (open >= steps.open[1]) return 2;
  if (open >= steps.open[0]) return 1;
  return 0;
}

/**
 * An area's level from its code (GB/T 2260 and the statistical division codes: 6 digits of district, 3 of
 * town, 3 of community; grids extend their community's). The wall's per-area counts are keyed the same way.
 */
export function areaLevelOfCode(code: string): AreaLevel {
  if (code.length > 12) return 'grid';
  return code.endsWith('000') ? 'town' : 'community';
}

/** The grid outline: faint, so a district of 300 grids reads as texture, not as a net. */
export const GRID_LINE_COLOR: Rgba = [70, 150, 230, 110];

/** A CSS colour for renderers that take strings (MapLibre styles, ECharts). */
export function rgbaCss([r, g, b, a]: Rgba): string {
  return `rgba(${r}, ${g}, ${b}, ${Number((a / 255).toFixed(3))})`;
}

export const REGION_LINE_COLOR: Record<RegionLevel, Rgba> = {
  city: [120, 200, 255, 255],
  district: [120, 200, 255, 230],
  town: [90, 180, 255, 200],
  community: [70, 150, 230, 140],
  grid: [60, 120, 200, 90],
};

/** Chart series colours (ECharts), matching the map. */
export const CHART_COLORS = [
  '#3fc8ff',
  '#2ed573',
  '#ffd23f',
  '#ff8c1a',
  '#ff3b3b',
  '#b07cff',
  '#4f7cff',
  '#7fe3d0',
];
