import { describe, expect, it } from 'vitest';
import { accessOf, clampRegion, principalKey } from './client-access';

const TOWN = '330102001000';

describe('clampRegion', () => {
  it('leaves an unconfined principal free to watch anything', () => {
    expect(clampRegion(null, null)).toEqual({ ok: true, regionCode: null });
    expect(clampRegion(null, TOWN)).toEqual({ ok: true, regionCode: TOWN });
  });

  it('turns the whole territory into the principal’s region and allows what lies inside it', () => {
    expect(clampRegion(TOWN, null)).toEqual({ ok: true, regionCode: TOWN });
    expect(clampRegion(TOWN, TOWN)).toEqual({ ok: true, regionCode: TOWN });
    expect(clampRegion(TOWN, '330102001007')).toEqual({ ok: true, regionCode: '330102001007' });
    expect(clampRegion(TOWN, '330102001007003')).toEqual({ ok: true, regionCode: '330102001007003' });
  });

  it('refuses a neighbour, the district above and the province', () => {
    expect(clampRegion(TOWN, '330102002000')).toEqual({ ok: false });
    expect(clampRegion(TOWN, '330102000000')).toEqual({ ok: false });
    expect(clampRegion(TOWN, '330000000000')).toEqual({ ok: false });
    expect(clampRegion('330102001007003', '330102001007')).toEqual({ ok: false });
  });
});

describe('accessOf', () => {
  it('masks incidents for duty officers and display screens, not for dispatchers', () => {
    expect(accessOf({ username: 'duty', role: 'duty', isDisplay: false }).incidentVariant).toBe('masked');
    expect(accessOf({ username: 'display:屏', role: 'duty', isDisplay: true }).incidentVariant).toBe(
      'masked',
    );
    expect(accessOf({ username: 'd', role: 'dispatcher', isDisplay: false }).incidentVariant).toBe('raw');
  });

  it('names a display token and a user apart, even a user who calls himself display:x', () => {
    expect(principalKey({ username: 'display:x', role: 'duty', isDisplay: true })).toBe('display:x');
    expect(principalKey({ username: 'display:x', role: 'duty', isDisplay: false })).toBe('user:display:x');
  });
});
