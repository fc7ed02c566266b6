import { describe, expect, it } from 'vitest';
import { DRAWN_MARGIN_DEG, doesDepartmentServe, isCodeInScope, isDrawnIn, regionOf } from './region-scope';

const TOWN = '330106001000';
const town = { regionCode: TOWN };

describe('region scope rules', () => {
  it('lets an unscoped principal see everything, a missing code included', () => {
    expect(regionOf(null)).toBeNull();
    expect(regionOf({ regionCode: null })).toBeNull();
    expect(isCodeInScope({ regionCode: null }, '330106002001001')).toBe(true);
    expect(isCodeInScope({ regionCode: null }, null)).toBe(true);
  });

  it('keeps a town inside its prefix: its grids and communities in, the neighbour and the district out', () => {
    expect(regionOf(town)).toBe('330106001');
    expect(isCodeInScope(town, '330106001001001')).toBe(true);
    expect(isCodeInScope(town, '330106001002')).toBe(true);
    expect(isCodeInScope(town, '330106002001001')).toBe(false);
    expect(isCodeInScope(town, '330106000000')).toBe(false);
    // An incident nobody could place belongs to the whole territory only.
    expect(isCodeInScope(town, null)).toBe(false);
  });

  it('counts a department as serving a town when inside it, containing it, or without a region', () => {
    const prefix = regionOf(town)!;
    expect(doesDepartmentServe('330106001000', prefix)).toBe(true); // the town's own station
    expect(doesDepartmentServe('330106000000', prefix)).toBe(true); // the district's fire brigade
    expect(doesDepartmentServe(null, prefix)).toBe(true); // serves everywhere
    expect(doesDepartmentServe('330106002000', prefix)).toBe(false); // the neighbour's station
    expect(doesDepartmentServe('330106001001', prefix)).toBe(true); // a community office inside the town
  });

  it('draws a position in a box with the wall’s margin, never a missing one', () => {
    const box: [number, number, number, number] = [120, 30, 120.2, 30.4];
    expect(isDrawnIn(box, 120.1, 30.2)).toBe(true);
    expect(isDrawnIn(box, 120.2 + DRAWN_MARGIN_DEG / 2, 30.2)).toBe(true);
    expect(isDrawnIn(box, 120.2 + DRAWN_MARGIN_DEG * 2, 30.2)).toBe(false);
    expect(isDrawnIn(box, Number.NaN, 30.2)).toBe(false);
    expect(isDrawnIn(null, 120.1, 30.2)).toBe(false);
  });
});
