import { describe, expect, it } from 'vitest';
import { CAMERA_STATUSES, VEHICLE_STATUSES } from '@/lib/domain/enums';
import { RoadGraph } from '@/lib/world/road-graph';
import { STALE_AFTER_MS } from '@/lib/realtime/contract';
import { EntityStore } from '../live/entity-store';
import { openDatabase } from '../db/open-database';
import { availableVehicle, camerasNear, departmentsFor, rankUnits } from './recommend';
import { haversineM, straightLineEstimator } from './travel-time';

const NOW = Date.UTC(2026, 10, 23, 2, 0, 0);
const INCIDENT = { lng: 120.17, lat: 30.25 };
const PATROL = VEHICLE_STATUSES.indexOf('patrol');

/**
 * A river runs east–west just north of the incident. Car A is 670 m north across it, and must drive east
 * to the bridge and back (~3.5 km of slow local roads); car B is 960 m east on the arterial straight to the
 * incident; car C sits on a road cut off from the network, so it can only be estimated in a straight line.
 */
const graph = RoadGraph.fromJSON({
  v: 1,
  nodes: [120.17, 30.25, 120.18, 30.25, 120.17, 30.256, 120.19, 30.256, 120.17, 30.243, 120.171, 30.243],
  // a, b, class (0 expressway, 1 arterial, 3 local), road
  edges: [0, 1, 1, 0, 2, 3, 3, 1, 3, 1, 3, 1, 4, 5, 3, 2],
  roadNames: ['解放路', '江北路', '断头路'],
});

function vehicles(): EntityStore {
  const s = new EntityStore('vehicle');
  const put = (id: string, lng: number, lat: number, status = PATROL, ts = NOW - 1000) => {
    const i = s.add({ id, name: id, kind: 'car' });
    s.lng[i] = lng;
    s.lat[i] = lat;
    s.status[i] = status;
    s.ts[i] = ts;
  };
  put('A', 120.17, 30.256);
  put('B', 120.18, 30.25);
  put('C', 120.17, 30.243);
  put('busy', 120.1701, 30.2501);
  put('responding', 120.1702, 30.2501, VEHICLE_STATUSES.indexOf('responding'));
  put('stale', 120.1703, 30.2501, PATROL, NOW - STALE_AFTER_MS.vehicle - 1);
  put('far', 121.5, 31.2);
  return s;
}

const opts = (estimator = graph) => ({
  isAvailable: availableVehicle(new Set(['busy'])),
  now: NOW,
  staleAfterMs: STALE_AFTER_MS.vehicle,
  estimator,
});

describe('recommendations', () => {
  it('ranks by travel time over the road network, not by distance', () => {
    const ranked = rankUnits(vehicles(), INCIDENT, opts());
    expect(ranked.map((r) => r.id)).toEqual(['B', 'C', 'A']);
    expect(ranked.map((r) => r.method)).toEqual(['road', 'straight_line', 'road']);
    // B: 963 m of arterial at 40 km/h ≈ 87 s.
    expect(ranked[0]!.travelTimeS).toBeGreaterThan(80);
    expect(ranked[0]!.travelTimeS).toBeLessThan(95);
    expect(ranked[2]!.travelTimeS).toBeGreaterThan(500);
  });

  it('falls back to straight line × detour without a road graph (A is then nearest)', () => {
    const ranked = rankUnits(vehicles(), INCIDENT, opts(straightLineEstimator as unknown as RoadGraph));
    expect(ranked.map((r) => r.id)).toEqual(['A', 'C', 'B']);
    expect(ranked.every((r) => r.method === 'straight_line')).toBe(true);
    expect(haversineM(120.17, 30.25, 120.18, 30.25)).toBeCloseTo(963, -1);
  });

  it('leaves out busy, responding, stale and far-away units', () => {
    const ids = rankUnits(vehicles(), INCIDENT, opts()).map((r) => r.id);
    for (const id of ['busy', 'responding', 'stale', 'far']) expect(ids).not.toContain(id);
  });

  it('lists cameras within the radius with their status, stale when silent', () => {
    const cams = new EntityStore('camera');
    const put = (id: string, dLat: number, status: number, ts: number) => {
      const i = cams.add({ id, name: id, kind: null });
      cams.lng[i] = INCIDENT.lng;
      cams.lat[i] = INCIDENT.lat + dLat;
      cams.status[i] = status;
      cams.ts[i] = ts;
    };
    put('near-online', 0.001, CAMERA_STATUSES.indexOf('online'), NOW - 1000);
    put('near-fault', 0.002, CAMERA_STATUSES.indexOf('fault'), NOW - 1000);
    put('near-silent', 0.003, CAMERA_STATUSES.indexOf('online'), NOW - STALE_AFTER_MS.camera - 1);
    put('far', 0.05, CAMERA_STATUSES.indexOf('online'), NOW);
    expect(camerasNear(cams, INCIDENT, NOW).map((c) => `${c.id}:${c.status}`)).toEqual([
      'near-online:online',
      'near-fault:fault',
      'near-silent:stale',
    ]);
  });

  it('proposes the departments for the category, most local first', () => {
    const db = openDatabase(':memory:');
    const ins = db.$client.prepare(
      'INSERT INTO departments (id, name, kind, region_code, categories) VALUES (?, ?, ?, ?, ?)',
    );
    ins.run('town-fire', '街道消防站', 'fire', '330102001000', '["fire_safety"]');
    ins.run('everywhere', '应急管理局', 'emergency', null, '["fire_safety"]');
    ins.run('district-fire', '区消防大队', 'fire', '330102000000', '["fire_safety","emergency"]');
    ins.run('other-district', '他区消防', 'fire', '330105000000', '["fire_safety"]');
    ins.run('police', '派出所', 'police_station', '330102001000', '["public_security"]');
    expect(departmentsFor(db.$client, 'fire_safety', '330102001001001').map((d) => d.id)).toEqual([
      'town-fire',
      'district-fire',
      'everywhere',
    ]);
    db.$client.close();
  });
});
