import type { WorkerReportInput } from '@/lib/domain/worker';
import { haversineM, pointInPoly } from '@/lib/world/geo';
import type { Rng } from '@/lib/world/rng';
import type { SimGrid } from './sim-world';

export type Shift = 'day' | 'night' | 'rest';

/** Walking pace while checking on households, m/s. */
const WALK_MS = [0.9, 1.4] as const;
/** Time spent at a stop (a household, a shop, a construction site), simulated ms. */
const STOP_MS = [60_000, 6 * 60_000] as const;

/** Hour of day in China (UTC+8, no daylight saving): shifts and the incident rhythm follow local time. */
export function chinaHour(ts: number): number {
  return (((ts / 3_600_000 + 8) % 24) + 24) % 24;
}

export function isOnShift(shift: Shift, hour: number): boolean {
  if (shift === 'day') return hour >= 8 && hour < 20;
  if (shift === 'night') return hour >= 20 || hour < 8;
  return false;
}

/** A grid worker walking from stop to stop inside their own grid while on duty. */
export class WorkerAgent {
  private lng: number;
  private lat: number;
  private target: [number, number];
  private pauseUntil = 0;
  private speed: number;
  isOnDuty = false;

  constructor(
    readonly id: string,
    readonly shift: Shift,
    private readonly grid: SimGrid,
    private readonly rng: Rng,
  ) {
    [this.lng, this.lat] = this.randomPointInGrid();
    this.target = this.randomPointInGrid();
    this.speed = rng.range(WALK_MS[0], WALK_MS[1]);
  }

  advance(dtS: number, simNow: number): void {
    if (!this.isOnDuty || simNow < this.pauseUntil) return;
    const d = haversineM(this.lng, this.lat, this.target[0], this.target[1]);
    const step = this.speed * dtS;
    if (step >= d) {
      [this.lng, this.lat] = this.target;
      this.pauseUntil = simNow + this.rng.range(STOP_MS[0], STOP_MS[1]);
      this.target = this.randomPointInGrid();
    } else {
      const f = step / d;
      this.lng += (this.target[0] - this.lng) * f;
      this.lat += (this.target[1] - this.lat) * f;
    }
  }

  report(ts: number): WorkerReportInput {
    return {
      id: this.id,
      lng: round6(this.lng),
      lat: round6(this.lat),
      status: this.isOnDuty ? 'on_duty' : 'off_duty',
      ts,
    };
  }

  private randomPointInGrid(): [number, number] {
    const [minLng, minLat, maxLng, maxLat] = this.grid.bbox;
    for (let i = 0; i < 40; i++) {
      const lng = this.rng.range(minLng, maxLng);
      const lat = this.rng.range(minLat, maxLat);
      if (this.grid.polys.some((p) => pointInPoly(lng, lat, p))) return [lng, lat];
    }
    return this.grid.center;
  }
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
