import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DISPATCH_FIT,
  DEPARTMENT_KIND_LABELS,
  VEHICLE_KIND_LABELS,
  departmentFit,
  fitReasonLabel,
  fitReasonOf,
  fitReasonText,
  type UnitFit,
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

  it('gives the reason as a code with its kind, worded in either language', () => {
    const police = vehicleFit(fit, 'dispute', {
      departmentKind: 'police_station',
      vehicleKind: 'patrol_car',
    });
    expect(police.why).toEqual({ code: 'department_kind', params: { kind: 'police_station' } });
    expect(fitReasonText({ isFit: police.isFit, why: police.why! }, 'en')).toBe('Match: Police station');
    const traffic = vehicleFit(fit, 'dispute', {
      departmentKind: 'traffic_police',
      vehicleKind: 'patrol_car',
    });
    expect(fitReasonLabel(traffic, 'en')).toBe('No match: Traffic police');
    expect(fitReasonLabel(traffic, 'zh')).toBe('不对口: 交警');
    const engine = vehicleFit(fit, 'fire_safety', { departmentKind: null, vehicleKind: 'fire_engine' });
    expect(fitReasonLabel(engine, 'en')).toBe('Match: Fire engine');
    const own = workerFit(fit, 'public_security', { gridCode: 'g1' }, 'g1');
    expect(fitReasonLabel(own, 'en')).toBe('Match: Own grid');
    expect(fitReasonLabel(workerFit(fit, 'traffic', { gridCode: 'g1' }, 'g1'), 'en')).toBe(
      'No match: Grid worker',
    );
    expect(fitReasonLabel(workerFit(fit, 'public_security', { gridCode: 'g2' }, 'g1'), 'en')).toBe(
      'No match: Not its grid',
    );
    // A deployment's own kind has no label: its code, in both languages.
    const market = departmentFit(fit, 'other', { kind: 'market_regulation', categories: ['other'] });
    expect(fitReasonLabel(market, 'en')).toBe('Match: market_regulation');
    expect(market.reason).toBe('对口: market_regulation');
  });

  it('reads the structured reason back from the Chinese text the API sends, for every kind and rule', () => {
    const all: UnitFit[] = [];
    for (const c of INCIDENT_CATEGORIES) {
      for (const d of [...Object.keys(DEPARTMENT_KIND_LABELS), null])
        for (const v of [...Object.keys(VEHICLE_KIND_LABELS), null])
          all.push(vehicleFit(fit, c, { departmentKind: d, vehicleKind: v }));
      for (const d of Object.keys(DEPARTMENT_KIND_LABELS))
        all.push(departmentFit(fit, c, { kind: d, categories: [] }));
      for (const g of ['g1', 'g2', null]) all.push(workerFit(fit, c, { gridCode: g }, 'g1'));
    }
    const codes = new Set<string>();
    for (const f of all) {
      // Without `why` on the wire, the console recovers exactly the code and kind the server had.
      expect(fitReasonOf({ isFit: f.isFit, reason: f.reason }), f.reason).toEqual(f.why);
      expect(fitReasonLabel({ isFit: f.isFit, reason: f.reason }, 'en')).not.toMatch(/[\u4e00-\u9fff]/);
      codes.add(f.why!.code);
    }
    expect([...codes].sort()).toEqual(
      ['department_kind', 'grid_worker', 'other_grid', 'own_grid', 'unknown_owner', 'vehicle_kind'].sort(),
    );
    // No reason (a unit whose fit was not judged) reads as none; text from elsewhere is shown as it is.
    expect(fitReasonLabel({ isFit: true, reason: '' }, 'en')).toBe('');
    expect(fitReasonLabel({ isFit: true, reason: 'custom note' }, 'en')).toBe('custom note');
    expect(fitReasonLabel(undefined, 'en')).toBe('');
  });
});
