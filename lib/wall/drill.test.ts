import { describe, expect, it } from 'vitest';
import { drillTarget } from './drill';

describe('drillTarget', () => {
  const grid = '510190002003007';
  it('goes one level down from the current scope towards the clicked area', () => {
    expect(drillTarget(null, grid)).toBe('510190002000');
    expect(drillTarget('510190002000', grid)).toBe('510190002003');
    expect(drillTarget('510190002003', grid)).toBe(grid);
    expect(drillTarget(grid, grid)).toBeNull();
    expect(drillTarget(null, '510190002003', 2)).toBe('510100000000');
  });
});
