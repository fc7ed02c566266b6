import type { IncidentCategory, IncidentSource, Priority } from '@/lib/domain/enums';
import type { IncidentReportInput } from '@/lib/domain/incident';
import { callerName, fakeMobile, personName } from '@/lib/world/names';
import type { Rng } from '@/lib/world/rng';
import { detailFor, TITLE_TEMPLATES } from './incident-text';
import type { SimWorld } from './sim-world';
import { chinaHour } from './worker-agent';

/**
 * Relative incident rate by local hour: quiet before dawn, a morning rise, the peak after dinner (disputes,
 * noise, drinking), as grid and 12345 statistics show. Normalised to a mean of 1.
 */
const HOURLY = [
  0.35, 0.25, 0.18, 0.15, 0.15, 0.22, 0.45, 0.75, 1.0, 1.1, 1.1, 1.05, 0.95, 1.0, 1.05, 1.1, 1.2, 1.35, 1.6,
  1.85, 1.8, 1.5, 1.0, 0.6,
];
const HOURLY_MEAN = HOURLY.reduce((a, b) => a + b, 0) / HOURLY.length;

export function hourlyFactor(ts: number): number {
  const h = chinaHour(ts);
  const i = Math.floor(h);
  const f = h - i;
  // Interpolated so the rate has no steps on the hour.
  return (HOURLY[i]! * (1 - f) + HOURLY[(i + 1) % 24]! * f) / HOURLY_MEAN;
}

/** Disputes and citizen requests are the bulk of grid work; emergencies are rare. Weights per 100. */
const CATEGORY_WEIGHTS: [IncidentCategory, number][] = [
  ['dispute', 20],
  ['citizen_request', 22],
  ['city_management', 14],
  ['environment', 10],
  ['public_security', 9],
  ['traffic', 8],
  ['fire_safety', 4],
  ['work_safety', 3],
  ['special_population', 3],
  ['petition', 3],
  ['emergency', 1.5],
  ['other', 2.5],
];
const NIGHT_BOOST: Partial<Record<IncidentCategory, number>> = {
  dispute: 1.5,
  public_security: 1.6,
  traffic: 1.3,
};

const PRIORITY: Partial<Record<IncidentCategory, [Priority, number][]>> = {
  emergency: [
    [1, 5],
    [2, 4],
    [3, 1],
  ],
  fire_safety: [
    [1, 2],
    [2, 4],
    [3, 3.5],
    [4, 0.5],
  ],
  public_security: [
    [1, 0.5],
    [2, 2.5],
    [3, 6],
    [4, 1],
  ],
  traffic: [
    [1, 1],
    [2, 3],
    [3, 5],
    [4, 1],
  ],
};
const DEFAULT_PRIORITY: [Priority, number][] = [
  [1, 0.1],
  [2, 0.9],
  [3, 6],
  [4, 3],
];

const SOURCES: Record<IncidentCategory, [IncidentSource, number][]> = {
  dispute: [
    ['grid_worker', 45],
    ['hotline_12345', 30],
    ['police_110', 20],
    ['public_app', 5],
  ],
  citizen_request: [
    ['hotline_12345', 70],
    ['public_app', 20],
    ['grid_worker', 10],
  ],
  city_management: [
    ['grid_worker', 35],
    ['video_patrol', 30],
    ['public_app', 20],
    ['hotline_12345', 15],
  ],
  environment: [
    ['grid_worker', 40],
    ['public_app', 30],
    ['video_patrol', 20],
    ['hotline_12345', 10],
  ],
  public_security: [
    ['police_110', 50],
    ['grid_worker', 25],
    ['video_patrol', 20],
    ['hotline_12345', 5],
  ],
  traffic: [
    ['police_110', 60],
    ['video_patrol', 30],
    ['public_app', 10],
  ],
  fire_safety: [
    ['sensor', 35],
    ['grid_worker', 35],
    ['police_110', 20],
    ['hotline_12345', 10],
  ],
  work_safety: [
    ['grid_worker', 60],
    ['sensor', 20],
    ['hotline_12345', 20],
  ],
  special_population: [
    ['grid_worker', 90],
    ['police_110', 10],
  ],
  petition: [
    ['hotline_12345', 60],
    ['grid_worker', 40],
  ],
  emergency: [
    ['sensor', 40],
    ['police_110', 40],
    ['hotline_12345', 20],
  ],
  other: [
    ['hotline_12345', 50],
    ['grid_worker', 50],
  ],
};

/** Categories a patrol unit would be sent to (the rest go to grid workers and departments). */
export const UNIT_CATEGORIES: ReadonlySet<IncidentCategory> = new Set([
  'public_security',
  'traffic',
  'fire_safety',
  'emergency',
  'dispute',
]);

/** Poisson sample (Knuth for small means, normal approximation for large ones). */
export function poisson(mean: number, rng: Rng): number {
  if (mean <= 0) return 0;
  if (mean > 30) return Math.max(0, Math.round(rng.normal(mean, Math.sqrt(mean))));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rng.next();
  } while (p > l);
  return k - 1;
}

export class IncidentGenerator {
  private seq = 0;

  constructor(
    private readonly world: SimWorld,
    private readonly rng: Rng,
    /** Unique per simulator run, so a restart never re-sends an id the server already holds. */
    private readonly runId: string,
  ) {}

  make(ts: number): IncidentReportInput {
    const rng = this.rng;
    const hour = chinaHour(ts);
    const isNight = hour >= 21 || hour < 2;
    const category = rng.weighted(
      CATEGORY_WEIGHTS.map(
        ([c, w]) => [c, isNight ? w * (NIGHT_BOOST[c] ?? 1) : w] as [IncidentCategory, number],
      ),
    );
    const priority = rng.weighted(PRIORITY[category] ?? DEFAULT_PRIORITY);
    const source = rng.weighted(SOURCES[category]);
    const { lng, lat, gridIndex, road, poi } = this.place();
    const grid = gridIndex >= 0 ? this.world.grids[gridIndex] : undefined;
    const community = grid?.communityName || '辖区';
    const title = rng
      .pick(TITLE_TEMPLATES[category])
      .replace('{road}', road)
      .replace('{community}', community)
      .replace('{poi}', poi ?? road);
    const isCaller = source === 'hotline_12345' || source === 'police_110' || source === 'public_app';
    const who = isCaller ? callerName(rng) : source === 'grid_worker' ? personName(rng) : '';
    const report: IncidentReportInput = {
      id: `sim-${this.runId}-${++this.seq}`,
      category,
      title: title.slice(0, 200),
      detail: detailFor(source, title, who),
      lng,
      lat,
      priority,
      source,
      reportedAt: ts,
      address: `${grid?.addressPrefix ?? ''}${road}${rng.int(1, 399)}号`.slice(0, 200),
    };
    if (isCaller) {
      report.reporter = who;
      report.phone = fakeMobile(rng);
    } else if (source === 'grid_worker') {
      report.reporter = `网格员${who}`;
    }
    if (grid) report.gridCode = grid.code;
    return report;
  }

  /** Somewhere people are: by a road in a random grid (small urban grids are denser), or at a named place. */
  private place(): { lng: number; lat: number; gridIndex: number; road: string; poi?: string } {
    const rng = this.rng;
    const { graph, grids, pois } = this.world;
    let lng: number;
    let lat: number;
    let poi: string | undefined;
    if (pois.length && rng.chance(0.2)) {
      const p = rng.pick(pois);
      lng = p.lng + rng.normal(0, 0.0002);
      lat = p.lat + rng.normal(0, 0.0002);
      poi = p.name;
    } else {
      const g = grids[rng.int(0, grids.length - 1)]!;
      lng = rng.range(g.bbox[0], g.bbox[2]);
      lat = rng.range(g.bbox[1], g.bbox[3]);
    }
    const snap = graph.snap(lng, lat);
    if (snap && snap.distanceM < 400) {
      // By the roadside: 5–25 m off the centre line, in a shop front or a courtyard gate.
      const off = rng.range(5, 25) / 111_320;
      lng = snap.lng + off * Math.cos(rng.range(0, 6.3));
      lat = snap.lat + off * Math.sin(rng.range(0, 6.3));
    }
    const road = snap ? graph.roadName(snap.edge) : '';
    return { lng: round6(lng), lat: round6(lat), gridIndex: this.world.locateGrid(lng, lat), road, poi };
  }
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
