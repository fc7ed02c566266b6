import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnitIds } from './unit-ids';

describe('UnitIds', () => {
  it('answers as the two Maps it replaces for any ids and any order of waiting and binding', () => {
    const id = fc.oneof(
      fc.integer({ min: 0, max: 300 }).map((k) => `V${k}`),
      fc.string({ minLength: 1, maxLength: 10 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }),
    );
    const op = fc.oneof(
      fc.record({ wait: fc.integer({ min: 0, max: 3_000 }), id }),
      fc.record({ bind: fc.integer({ min: 0, max: 3_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const ids = new UnitIds();
        // The writer's Maps, and what an index was first announced as (indexes are never reused).
        const byIdx = new Map<number, string>();
        const byId = new Map<string, number>();
        const first = new Map<number, string>();
        const usedIds = new Set<string>();
        for (const o of ops) {
          if ('wait' in o) {
            // A live index has one id, and an id one index.
            const known = first.get(o.wait);
            if (known === undefined && usedIds.has(o.id)) continue;
            const unitId = known ?? o.id;
            first.set(o.wait, unitId);
            usedIds.add(unitId);
            ids.wait(o.wait, unitId);
            byIdx.set(o.wait, unitId);
            byId.set(unitId, o.wait);
          } else {
            ids.bind(o.bind);
            const unitId = byIdx.get(o.bind);
            byIdx.delete(o.bind);
            if (unitId !== undefined) byId.delete(unitId);
          }
        }
        expect(ids.waitingCount).toBe(byId.size);
        for (const [idx, unitId] of first) {
          expect(ids.waitingId(idx)).toBe(byIdx.get(idx));
          expect(ids.isWaiting(idx)).toBe(byIdx.has(idx));
          expect(ids.waitingIdx(unitId)).toBe(byId.get(unitId));
        }
        expect(ids.waitingIdx('never announced')).toBeUndefined();
        const seen: [string, number][] = [];
        ids.forEachWaiting((unitId, idx) => seen.push([unitId, idx]));
        const expected = [...byIdx].sort((a, b) => a[0] - b[0]).map(([idx, unitId]) => [unitId, idx]);
        expect(seen).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('finds each of a hundred thousand ids once its table has grown many times', () => {
    const ids = new UnitIds();
    for (let i = 0; i < 100_000; i++) ids.wait(i, `34020000001320${String(i).padStart(6, '0')}`);
    for (let i = 0; i < 100_000; i += 2) ids.bind(i);
    expect(ids.waitingCount).toBe(50_000);
    expect(ids.waitingIdx('34020000001320000777')).toBe(777);
    expect(ids.waitingIdx('34020000001320000778')).toBeUndefined();
    expect(ids.waitingId(99_999)).toBe('34020000001320099999');
  });
});
