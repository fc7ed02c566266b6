import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CameraReportSchema, gbDeviceType } from './camera';
import { reasonFromZodError, TimestampSchema } from './common';
import { IncidentReportSchema } from './incident';
import { VehicleReportSchema } from './vehicle';
import { WorkerReportSchema } from './worker';
import { regionLevelOf, regionPrefix, isWithinRegion } from './region-code';

const ts = 1_790_000_000_000;

describe('report schemas', () => {
  it('accepts a contract vehicle report and normalises an ISO timestamp to epoch ms', () => {
    const r = VehicleReportSchema.parse({
      id: 'V1',
      lng: 104.06,
      lat: 30.66,
      ts: '2026-11-23T10:00:00+08:00',
      status: 'patrol',
    });
    expect(r.ts).toBe(Date.parse('2026-11-23T02:00:00Z'));
  });

  it('rejects out-of-range, non-finite and wrongly typed fields with a short reason', () => {
    const cases: [unknown, string][] = [
      [{ id: 'V', lng: 181, lat: 0, ts }, 'lng:too_big'],
      [{ id: 'V', lng: Number.NaN, lat: 0, ts }, 'lng:invalid_type'],
      [{ id: '', lng: 1, lat: 0, ts }, 'id:too_small'],
      [{ id: 'V', lng: 1, lat: 0, ts: 'yesterday' }, 'ts:invalid_format'],
      [{ id: 'V', lng: 1, lat: 0, ts: 12 }, 'ts:custom'],
      [{ id: 'V', lng: 1, lat: 0, ts, status: 'flying' }, 'status:invalid_value'],
      [null, 'payload:invalid_type'],
    ];
    for (const [input, reason] of cases) {
      const p = VehicleReportSchema.safeParse(input);
      expect(p.success).toBe(false);
      if (!p.success) expect(reasonFromZodError(p.error)).toBe(reason);
    }
  });

  it('never throws and never lets an invalid coordinate through, whatever the input', () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        for (const schema of [VehicleReportSchema, WorkerReportSchema]) {
          const p = schema.safeParse(input);
          if (p.success) {
            expect(Number.isFinite(p.data.lng) && Math.abs(p.data.lng) <= 180).toBe(true);
            expect(Number.isFinite(p.data.lat) && Math.abs(p.data.lat) <= 90).toBe(true);
          }
        }
        expect(IncidentReportSchema.safeParse(input).success).toBe(false);
      }),
    );
  });

  it('accepts the shapes a gateway sends and drops unknown keys, including __proto__', () => {
    fc.assert(
      fc.property(
        fc.record({
          id: fc.string({ minLength: 1, maxLength: 64 }),
          lng: fc.double({ min: -180, max: 180, noNaN: true }),
          lat: fc.double({ min: -90, max: 90, noNaN: true }),
          ts: fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }),
        }),
        (r) => {
          const p = VehicleReportSchema.parse(
            JSON.parse(`{"__proto__":{"x":1},${JSON.stringify(r).slice(1)}`),
          );
          expect(Object.keys(p).sort()).toEqual(['id', 'lat', 'lng', 'ts']);
        },
      ),
    );
  });

  it('requires a 20-digit GB/T 28181 camera id', () => {
    expect(CameraReportSchema.safeParse({ id: '51010400001310000001', status: 'online', ts }).success).toBe(
      true,
    );
    expect(CameraReportSchema.safeParse({ id: '5101040000131000000', status: 'online', ts }).success).toBe(
      false,
    );
    expect(CameraReportSchema.safeParse({ id: '51010400001310000001', status: 'ON', ts }).success).toBe(
      false,
    );
    expect(gbDeviceType('51010400001310000001')).toBe('131');
  });

  it('validates incidents: categories, priority 1–4, bounded text', () => {
    const ok = {
      id: 'I1',
      category: 'dispute',
      title: '噪音扰民',
      lng: 104,
      lat: 30,
      priority: 1,
      source: 'hotline_12345',
      reportedAt: ts,
    };
    expect(IncidentReportSchema.safeParse(ok).success).toBe(true);
    expect(IncidentReportSchema.safeParse({ ...ok, priority: 5 }).success).toBe(false);
    expect(IncidentReportSchema.safeParse({ ...ok, title: 'x'.repeat(201) }).success).toBe(false);
    expect(IncidentReportSchema.safeParse({ ...ok, title: '   ' }).success).toBe(false);
    expect(IncidentReportSchema.safeParse({ ...ok, category: 'alien' }).success).toBe(false);
    expect(IncidentReportSchema.safeParse({ ...ok, gridCode: '510104001001' }).success).toBe(false);
  });

  it('parses timestamps only inside 2000–2100', () => {
    expect(TimestampSchema.safeParse(0).success).toBe(false);
    expect(TimestampSchema.safeParse('2026-11-23T10:00:00Z').success).toBe(true);
    expect(TimestampSchema.safeParse('2026-13-45T10:00:00Z').success).toBe(false);
  });
});

describe('region codes', () => {
  it('derives the prefix and level of statistical division codes', () => {
    expect(regionPrefix('510104000000')).toBe('510104');
    expect(regionPrefix('330100000000')).toBe('3301');
    expect(regionPrefix('330000000000')).toBe('33');
    expect(regionLevelOf('330100000000')).toBe('city');
    expect(regionPrefix('510104001000')).toBe('510104001');
    expect(regionPrefix('510104001002')).toBe('510104001002');
    expect(regionLevelOf('510104000000')).toBe('district');
    expect(regionLevelOf('510104001000')).toBe('town');
    expect(regionLevelOf('510104001002')).toBe('community');
    expect(regionLevelOf('510104001002003')).toBe('grid');
    expect(isWithinRegion('510104001002003', '510104001000')).toBe(true);
    expect(isWithinRegion('510104002002003', '510104001000')).toBe(false);
  });
});
