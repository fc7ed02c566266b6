import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StringColumn } from './string-column';

describe('StringColumn', () => {
  it('reads back what was pushed and set, as an array would, whatever the strings and the order', () => {
    const text = fc.oneof(
      fc.constant(null),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
      // Lone surrogates are kept as they came, not replaced.
      fc.string({ unit: 'binary', maxLength: 6 }),
      fc.string({ minLength: 4_000, maxLength: 9_000 }),
    );
    const op = fc.oneof(fc.record({ push: text }), fc.record({ set: fc.nat(), to: text }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const col = new StringColumn();
        const ref: (string | null)[] = [];
        for (const o of ops) {
          if ('push' in o) {
            col.push(o.push);
            ref.push(o.push);
          } else if (ref.length > 0) {
            col.set(o.set % ref.length, o.to);
            ref[o.set % ref.length] = o.to;
          }
        }
        expect(col.count).toBe(ref.length);
        for (let i = 0; i < ref.length; i++) expect(col.get(i)).toBe(ref[i]);
        expect(col.get(ref.length)).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('reclaims what renames leave behind instead of growing with every rename', () => {
    const col = new StringColumn();
    for (let i = 0; i < 1_000; i++) col.push(`摄像机${i}`);
    // Each rename is longer than the last, so none fits in place.
    for (let round = 1; round <= 200; round++)
      for (let i = 0; i < 1_000; i++) col.set(i, `摄像机${i}${'号'.repeat(round)}`);
    expect(col.get(7)).toBe(`摄像机7${'号'.repeat(200)}`);
    // Live: ~1,000 × 205 units (~0.4 MB); never compacted, the renames would have left ~40 MB behind.
    expect(col.bytes).toBeLessThan(8 * 2 ** 20);
  });
});
