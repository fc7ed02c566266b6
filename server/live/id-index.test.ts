import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdIndex } from './id-index';

const bytesOf = (id: string) => ({ bytes: Buffer.from(`xx${id}yy`, 'latin1'), from: 2, to: 2 + id.length });

describe('IdIndex', () => {
  it('agrees with a Map for any ids, by string and (one byte per character) by bytes', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.oneof(
            fc.string({ maxLength: 24 }),
            fc.string({ unit: 'grapheme', maxLength: 8 }),
            fc.integer({ min: 0, max: 5000 }).map((k) => `V${k}`),
          ),
          { maxLength: 300 },
        ),
        fc.array(fc.string({ maxLength: 24 }), { maxLength: 50 }),
        // The live state's is shared (its storage in SharedArrayBuffers, for the history thread).
        fc.boolean(),
        (ids, probes, shared) => {
          const index = new IdIndex(1_000_000, { shared });
          const map = new Map<string, number>();
          ids.forEach((id, i) => {
            index.add(id, i);
            map.set(id, i);
          });
          // Every id reads back from its index, wide (a Map) or narrow (the arena's bytes) alike.
          ids.forEach((id, i) => expect(index.idAt(i)).toBe(id));
          const narrow: string[] = [];
          for (const id of [...ids, ...probes]) {
            const want = map.get(id) ?? -1;
            expect(index.get(id)).toBe(want);
            if ([...id].every((c) => c.charCodeAt(0) <= 0xff)) {
              const b = bytesOf(id);
              expect(index.getBytes(b.bytes, b.from, b.to)).toBe(want);
              narrow.push(id);
            }
          }
          // All of them at once, from one message's bytes, as the ingest looks them up.
          const text = Buffer.from(narrow.map((id) => `"${id}"`).join(','), 'latin1');
          const from = new Uint32Array(narrow.length);
          const to = new Uint32Array(narrow.length);
          let at = 0;
          narrow.forEach((id, k) => {
            from[k] = at + 1;
            to[k] = at + 1 + id.length;
            at += id.length + 3;
          });
          const out = new Int32Array(narrow.length).fill(-2);
          index.getManyBytes(text, from, to, narrow.length, out);
          expect([...out]).toEqual(narrow.map((id) => map.get(id) ?? -1));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps every id through many rehashes and arena growths', () => {
    const index = new IdIndex(1_000_000);
    const n = 200_000;
    for (let i = 0; i < n; i++) index.add(`34020000001320${String(i).padStart(6, '0')}`, i);
    for (let i = 0; i < n; i += 997) {
      const id = `34020000001320${String(i).padStart(6, '0')}`;
      expect(index.get(id)).toBe(i);
      const b = bytesOf(id);
      expect(index.getBytes(b.bytes, b.from, b.to)).toBe(i);
    }
    expect(index.get('34020000001320999999')).toBe(-1);
    expect(index.get('')).toBe(-1);
  });

  it('finds ids with characters past one byte through its side map', () => {
    const index = new IdIndex(1_000_000);
    index.add('浙A·12345', 0);
    index.add('V1', 1);
    expect(index.get('浙A·12345')).toBe(0);
    expect(index.get('V1')).toBe(1);
    const b = bytesOf('V1');
    expect(index.getBytes(b.bytes, b.from, b.to)).toBe(1);
  });
});
