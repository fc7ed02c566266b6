/**
 * How a unit's track is shown (轨迹回放, issue 17): speed bands with their colours and legend words, the
 * periods one picks, the path cut into runs of one band, and the incidents the unit handled in the period.
 * Framework-free: the wall's drawer, the console and the map layers all read it.
 */
import { startOfDay } from '../time/display-time';
import type { HistoryIncident, TrackPoint, TrackStop } from './contract';
import { assigneeAt } from './replay-model';
import type { Rgba } from '../wall/palette';

/**
 * Speed bands (km/h, lower bound inclusive), read like a traffic map: red crawls, green flows, cyan is fast.
 * Colours are saturated and far apart in hue so a duty officer tells them apart at 5 m on a dark basemap.
 */
export const SPEED_BANDS: readonly { min: number; color: Rgba; zh: string; en: string }[] = [
  { min: 0, color: [255, 69, 58, 255], zh: '<10', en: '<10' },
  { min: 10, color: [255, 159, 10, 255], zh: '10–30', en: '10–30' },
  { min: 30, color: [255, 230, 32, 255], zh: '30–50', en: '30–50' },
  { min: 50, color: [48, 219, 91, 255], zh: '50–80', en: '50–80' },
  { min: 80, color: [64, 200, 255, 255], zh: '≥80', en: '≥80' },
];

/** A point without a reported speed is drawn in this colour (a worker's phone often sends none). */
export const NO_SPEED_COLOR: Rgba = [190, 200, 215, 255];

export function speedBand(speed: number | undefined): number {
  if (speed === undefined || !Number.isFinite(speed)) return -1;
  let b = 0;
  for (let i = 0; i < SPEED_BANDS.length; i++) if (speed >= SPEED_BANDS[i]!.min) b = i;
  return b;
}

export function bandColor(band: number): Rgba {
  return band < 0 ? NO_SPEED_COLOR : SPEED_BANDS[band]!.color;
}

export interface TrackRun {
  /** [lng, lat] in stored WGS-84; consecutive runs share their joining point, so the line has no gaps. */
  path: [number, number][];
  band: number;
}

/**
 * The path cut where the band changes; a segment takes the band of the speed at its end (what the unit was
 * doing as it arrived there). Bounded by the points (the server caps a track's points).
 */
export function trackRuns(points: readonly TrackPoint[]): TrackRun[] {
  const runs: TrackRun[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const band = speedBand(b.speed);
    const last = runs[runs.length - 1];
    if (last && last.band === band) last.path.push([b.lng, b.lat]);
    else
      runs.push({
        path: [
          [a.lng, a.lat],
          [b.lng, b.lat],
        ],
        band,
      });
  }
  return runs;
}

export const TRACK_PERIODS = ['1h', '4h', 'today', 'custom'] as const;
export type TrackPeriod = (typeof TRACK_PERIODS)[number];

export const PERIOD_WORDS: Record<TrackPeriod, { zh: string; en: string }> = {
  '1h': { zh: '近1小时', en: 'Last 1 h' },
  '4h': { zh: '近4小时', en: 'Last 4 h' },
  today: { zh: '今天', en: 'Today' },
  custom: { zh: '自定义', en: 'Custom' },
};

/** The [from, to] of a preset period at `now` ("today": since midnight in the display zone). */
export function periodRange(
  period: Exclude<TrackPeriod, 'custom'>,
  now: number,
  tz?: string,
): [number, number] {
  if (period === '1h') return [now - 3_600_000, now];
  if (period === '4h') return [now - 4 * 3_600_000, now];
  return [startOfDay(now, tz), now];
}

/**
 * Incidents the unit held at some time in [from, to], oldest first (the history listing's own order): by the
 * assign steps as replay reads them, so a car relieved mid-case keeps the case it held, and a car sent only
 * after the period does not list it.
 */
export function handledIncidents(
  incidents: readonly HistoryIncident[],
  kind: 'vehicle' | 'worker',
  id: string,
  from: number,
  to: number,
): HistoryIncident[] {
  const isUnit = (u: { kind: string; id: string } | null) => u?.kind === kind && u.id === id;
  // Who held it changes only on a step: at the period's start and at each step inside it covers every holder.
  return incidents.filter(
    (i) =>
      isUnit(assigneeAt(i, from)) ||
      i.timeline.some((e) => e.at > from && e.at <= to && isUnit(assigneeAt(i, e.at))),
  );
}

/** The stop's length in ms. */
export function stopMs(s: TrackStop): number {
  return s.to - s.from;
}

/** [minLng, minLat, maxLng, maxLat] over the points and extra places, or null when there are none. */
export function placesBbox(
  places: Iterable<{ lng: number; lat: number }>,
): [number, number, number, number] | null {
  let b: [number, number, number, number] | null = null;
  for (const p of places) {
    if (!b) b = [p.lng, p.lat, p.lng, p.lat];
    else {
      b[0] = Math.min(b[0], p.lng);
      b[1] = Math.min(b[1], p.lat);
      b[2] = Math.max(b[2], p.lng);
      b[3] = Math.max(b[3], p.lat);
    }
  }
  return b;
}

/** A stay or a drive's length to the minute: "8分钟", "1小时25分" / "8 min", "1 h 25 min". */
export function formatSpan(ms: number, lang: 'zh' | 'en'): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  // Whole minutes, cut (a 3 min 50 s stay is "3分钟", never more than it was).
  const min = Math.floor(ms / 60_000);
  if (min < 1) {
    const s = Math.floor(ms / 1000);
    return lang === 'zh' ? `${s}秒` : `${s} s`;
  }
  if (min < 60) return lang === 'zh' ? `${min}分钟` : `${min} min`;
  const h = Math.floor(min / 60);
  const m = min % 60;
  return lang === 'zh' ? `${h}小时${m}分` : `${h} h ${m} min`;
}

/** A distance for people: "850 m", "12.4 km". */
export function formatDistance(m: number): string {
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}
