import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DISPATCH_FIT,
  departmentFit,
  parseDispatchFit,
  resolveDispatchFit,
  vehicleFit,
  workerFit,
} from './dispatch-fit';
import { INCIDENT_CATEGORIES } from './enums';

const fit = DEFAULT_DISPATCH_FIT;

describe('dispatch fit (对口)', () => {
  it('maps every category', () => {
    for (const c of INCIDENT_CATEGORIES) expect(fit[c].departmentKinds.length).toBeGreaterThan(0);
  });

  it('sends a wage dispute to 司法所/派出所/劳动监察 and grid workers, never to fire, 应急 or traffic police', () => {
    const v = (departmentKind: string | null, vehicleKind: string) =>
      vehicleFit(fit, 'dispute', { departmentKind, vehicleKind });
    expect(v('police_station', 'patrol_car')).toMatchObject({ isFit: true, reason: '对口: 派出所' });
    expect(v('traffic_police', 'patrol_car')).toMatchObject({ isFit: false, reason: '不对口: 交警' });
    expect(v('fire', 'fire_engine').isFit).toBe(false);
    expect(v('emergency', 'rescue').isFit).toBe(false);
    expect(departmentFit(fit, 'dispute', { kind: 'justice', categories: [] })).toMatchObject({
      isFit: true,
      reason: '对口: 司法所',
      rank: 0,
    });
    expect(departmentFit(fit, 'dispute', { kind: 'labor_inspection', categories: [] }).isFit).toBe(true);
    expect(departmentFit(fit, 'dispute', { kind: 'fire', categories: [] }).isFit).toBe(false);
    expect(workerFit(fit, 'dispute', { gridCode: 'g2' }, 'g1')).toMatchObject({ isFit: true, rank: 1 });
    expect(workerFit(fit, 'dispute', { gridCode: 'g1' }, 'g1')).toMatchObject({
      reason: '对口: 本网格',
      rank: 0,
    });
  });

  it('sends a gas leak (emergency) to fire, 应急 and 派出所, and a fire engine by its kind whoever owns it', () => {
    for (const d of ['fire', 'emergency', 'police_station'])
      expect(vehicleFit(fit, 'emergency', { departmentKind: d, vehicleKind: 'patrol_car' }).isFit).toBe(true);
    expect(
      vehicleFit(fit, 'emergency', { departmentKind: 'street_office', vehicleKind: 'ebike' }).isFit,
    ).toBe(false);
    expect(vehicleFit(fit, 'emergency', { departmentKind: null, vehicleKind: 'fire_engine' })).toMatchObject({
      isFit: true,
      reason: '对口: 消防车',
    });
    expect(vehicleFit(fit, 'emergency', { departmentKind: null, vehicleKind: null }).reason).toBe(
      '不对口: 归属不明',
    );
  });

  it('sends traffic to traffic police only, and no grid worker', () => {
    expect(
      vehicleFit(fit, 'traffic', { departmentKind: 'traffic_police', vehicleKind: 'motorbike' }).isFit,
    ).toBe(true);
    expect(
      vehicleFit(fit, 'traffic', { departmentKind: 'police_station', vehicleKind: 'patrol_car' }).isFit,
    ).toBe(false);
    expect(workerFit(fit, 'traffic', { gridCode: 'g1' }, 'g1').isFit).toBe(false);
  });

  it('keeps own-grid-only categories to the grid worker of the incident', () => {
    expect(workerFit(fit, 'public_security', { gridCode: 'g1' }, 'g1').isFit).toBe(true);
    expect(workerFit(fit, 'public_security', { gridCode: 'g2' }, 'g1')).toMatchObject({
      isFit: false,
      reason: '不对口: 非本网格',
    });
  });

  it('lets a department fit by its own categories after every listed kind', () => {
    const d = departmentFit(fit, 'traffic', { kind: 'street_office', categories: ['traffic'] });
    expect(d).toMatchObject({ isFit: true, rank: fit.traffic.departmentKinds.length });
  });

  it('overlays an override field by field, and ignores a bad one with its reason', () => {
    const o = parseDispatchFit(JSON.stringify({ traffic: { workers: 'any' } }));
    expect(o.error).toBeUndefined();
    expect(o.config.traffic).toEqual({ ...fit.traffic, workers: 'any' });
    expect(o.config.dispute).toBe(fit.dispute);
    expect(parseDispatchFit(null).config).toBe(fit);
    expect(parseDispatchFit('{').error).toBe('dispatch_fit is not JSON');
    expect(parseDispatchFit(JSON.stringify({ traffic: { workers: 'all' } })).error).toMatch(
      /^dispatch_fit: traffic\.workers/,
    );
    expect(parseDispatchFit(JSON.stringify({ wage: { workers: 'any' } })).error).toMatch(/dispatch_fit/);
    expect(
      parseDispatchFit(JSON.stringify({ dispute: { departmentKinds: ['DROP TABLE'] } })).error,
    ).toBeDefined();
    expect(resolveDispatchFit({ dispute: { vehicleKinds: ['rescue'] } }).dispute.departmentKinds).toEqual(
      fit.dispute.departmentKinds,
    );
  });
});
