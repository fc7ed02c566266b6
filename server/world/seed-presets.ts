import { WORLD_PRESETS } from '@/lib/world/presets';
import type { WorldOptions } from '@/lib/world/world-types';

/**
 * What `npm run world` seeds: the world presets plus a day's incident volume for each. `tiny` exists so an
 * integration test can run the same seed → serve path in seconds.
 */
export interface SeedPreset {
  world: WorldOptions;
  /**
   * Incidents in the seeded day. DESIGN §1: a large urban district takes ~150–350 grid matters plus
   * ~300–600 12345 orders a day, so ~500 per district; the province preset has 120 districts.
   */
  incidentsPerDay: number;
}

export const SEED_PRESETS = {
  tiny: {
    world: {
      ...WORLD_PRESETS.district,
      name: '平安测试区',
      townsPerDistrict: 2,
      communitiesPerTown: 2,
      gridsPerCommunity: 3,
      cameras: 40,
      vehicles: 8,
      workers: 20,
      districtRadiusM: 2_500,
    },
    incidentsPerDay: 30,
  },
  district: { world: WORLD_PRESETS.district, incidentsPerDay: 500 },
  province: {
    world: WORLD_PRESETS.province,
    incidentsPerDay: 500 * WORLD_PRESETS.province.cities * WORLD_PRESETS.province.districtsPerCity,
  },
} as const satisfies Record<string, SeedPreset>;

export type SeedPresetName = keyof typeof SEED_PRESETS;

export function isSeedPresetName(name: string): name is SeedPresetName {
  return Object.hasOwn(SEED_PRESETS, name);
}
