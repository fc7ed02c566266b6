import type { WorldOptions } from './world-types';

/** One large urban district (DESIGN §1 scale notes): ~6 towns, ~60 communities, ~300 grids. */
export const DISTRICT_PRESET: WorldOptions = {
  seed: 'pingan',
  name: '平安示范区',
  center: [104.06, 30.66],
  provinceCode: '51',
  cityCode: '01',
  cityName: '成都市',
  districtCode: '90',
  cities: 1,
  districtsPerCity: 1,
  townsPerDistrict: 6,
  communitiesPerTown: 10,
  gridsPerCommunity: 5,
  cameras: 1_200,
  vehicles: 60,
  workers: 300,
  districtRadiusM: 9_000,
  roadSpacingM: 260,
  arterialEvery: 6,
  secondaryEvery: 3,
};

/**
 * One province for benchmarks: 12 cities × 10 districts × 10 towns × 10 communities × 10 grids = 120,000 grids.
 * Roads are a coarse 2 km lattice (arterials and secondaries only, in effect): enough to route and to draw at
 * province zoom, and small enough to load in a second.
 */
export const PROVINCE_PRESET: WorldOptions = {
  ...DISTRICT_PRESET,
  name: '平安示范省',
  cities: 12,
  districtsPerCity: 10,
  townsPerDistrict: 10,
  communitiesPerTown: 10,
  gridsPerCommunity: 10,
  cameras: 2_000_000,
  vehicles: 1_000_000,
  workers: 300_000,
  roadSpacingM: 2_000,
  arterialEvery: 4,
  secondaryEvery: 2,
};

export const WORLD_PRESETS = { district: DISTRICT_PRESET, province: PROVINCE_PRESET } as const;
export type WorldPresetName = keyof typeof WORLD_PRESETS;
