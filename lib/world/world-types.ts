import type { IncidentCategory } from '../domain/enums';
import type { RoadNetwork } from './road-network';
import type { LngLat } from './road-graph';

export type GeoJsonPolygonal =
  { type: 'Polygon'; coordinates: LngLat[][] } | { type: 'MultiPolygon'; coordinates: LngLat[][][] };

export type RegionLevelStored = 'city' | 'district' | 'town' | 'community';

export interface WorldOptions {
  seed: string;
  /** The district's name (province scale: the province's). */
  name: string;
  center: LngLat;
  /** 2-digit province code (GB/T 2260), e.g. 51 四川. */
  provinceCode: string;
  /** City code (2 digits) and name at district scale; province scale numbers its cities 01, 02… */
  cityCode: string;
  cityName: string;
  /** District code (2 digits) at district scale. 90 is unused in Chengdu, so it cannot be mistaken for a real one. */
  districtCode: string;
  cities: number;
  districtsPerCity: number;
  townsPerDistrict: number;
  communitiesPerTown: number;
  gridsPerCommunity: number;
  cameras: number;
  vehicles: number;
  workers: number;
  /** Radius of one district, metres (~9 km ≈ 250 km², a large urban district). */
  districtRadiusM: number;
  roadSpacingM: number;
  arterialEvery: number;
  secondaryEvery: number;
}

export interface RegionRec {
  code: string;
  parentCode: string | null;
  level: RegionLevelStored;
  name: string;
  /** Null for a city whose outline we do not draw (the real city around a generated district). */
  geometry: GeoJsonPolygonal | null;
  center: LngLat;
}

export interface GridRec {
  code: string;
  communityCode: string;
  name: string;
  geometry: GeoJsonPolygonal;
  center: LngLat;
}

export const DEPARTMENT_KINDS = [
  'police_station',
  'justice',
  'street_office',
  'urban_management',
  'fire',
  'emergency',
  'traffic_police',
] as const;
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];

export interface DepartmentRec {
  id: string;
  name: string;
  kind: DepartmentKind;
  regionCode: string;
  categories: IncidentCategory[];
  phone: string;
  /** Where its units park: a road node near its office. */
  base: LngLat;
}

export const VEHICLE_KINDS = [
  'patrol_car',
  'motorbike',
  'ebike',
  'fire_engine',
  'rescue',
  'law_enforcement',
] as const;
export type VehicleKind = (typeof VEHICLE_KINDS)[number];

export interface VehicleRec {
  id: string;
  name: string;
  kind: VehicleKind;
  departmentId: string;
  terminalPhone: string;
  base: LngLat;
}

export type WorkerRole = 'full_time' | 'assistant' | 'community_police' | 'auxiliary_police';

export interface WorkerRec {
  id: string;
  name: string;
  role: WorkerRole;
  gridCode: string;
  phone: string;
}

export type CameraProgram = 'xueliang' | 'tianwang' | 'huiyan';

export interface CameraRec {
  id: string;
  name: string;
  lng: number;
  lat: number;
  gridCode: string | null;
  program: CameraProgram;
}

export type PoiKind = 'school' | 'market' | 'station' | 'hospital' | 'plaza' | 'government';

export interface Poi {
  name: string;
  kind: PoiKind;
  lng: number;
  lat: number;
}

export interface RiverFeature {
  name: string;
  widthM: number;
  coords: LngLat[];
}

export interface AreaFeature {
  name: string;
  geometry: GeoJsonPolygonal;
}

/** What the basemap draws besides regions: stored once at seed time so the style never recomputes it. */
export interface BasemapFeatures {
  rivers: RiverFeature[];
  lakes: AreaFeature[];
  parks: AreaFeature[];
  pois: Poi[];
  roads: RoadNetwork['lines'];
}

export interface WorldInfo {
  seed: string;
  name: string;
  center: LngLat;
  /** [minLng, minLat, maxLng, maxLat] */
  bbox: [number, number, number, number];
  /** The top region (the district, or null for a province of several cities). */
  rootCode: string | null;
  counts: {
    cities: number;
    districts: number;
    towns: number;
    communities: number;
    grids: number;
    departments: number;
    vehicles: number;
    workers: number;
    cameras: number;
    roadNodes: number;
    roadEdges: number;
  };
}
