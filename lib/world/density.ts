import Flatbush from 'flatbush';
import type { Pt } from './geo';

export interface Core {
  at: Pt;
  radiusM: number;
  /** Peak intensity 0..1. */
  weight: number;
}

/**
 * Urban intensity 0..1 as the strongest of a few Gaussian "cores" (a district's centre, each town's seat).
 * Drives how small grids are and how dense the streets: a city core is fine-grained, farmland is not.
 */
export function makeDensity(cores: Core[], floor = 0.08): (x: number, y: number) => number {
  const at = (c: Core, x: number, y: number) =>
    c.weight * Math.exp(-((Math.hypot(x - c.at[0], y - c.at[1]) / c.radiusM) ** 2));
  if (cores.length <= 8) {
    return (x, y) => {
      let best = floor;
      for (const c of cores) best = Math.max(best, at(c, x, y));
      return best;
    };
  }
  // Province scale: hundreds of cores, so only the nearest few can matter.
  const index = new Flatbush(cores.length);
  for (const c of cores) index.add(c.at[0], c.at[1], c.at[0], c.at[1]);
  index.finish();
  return (x, y) => {
    let best = floor;
    for (const i of index.neighbors(x, y, 4)) best = Math.max(best, at(cores[i]!, x, y));
    return best;
  };
}
