import { describe, expect, it } from 'vitest';
import { blockEntity, BLOCK_KEYS, encodeBlock, forEachInBlock, MAX_PARTS, partOfEntity } from './block-row';
import { SegmentDecodeError } from './segment-codec';

const bytes = (key: number, n: number) => Uint8Array.from({ length: n }, (_, k) => (key * 7 + k) % 256);

describe('block row', () => {
  it("gives back each entity's bytes, also from two chunks written to the same row", () => {
    const a = [1, 2, 5, 300].map((key) => ({ key, data: bytes(key, 3 + (key % 40)) }));
    const b = [2, 7].map((key) => ({ key, data: bytes(key + 1, 9) }));
    const blob = Uint8Array.from([...encodeBlock(a), ...encodeBlock(b)]);
    const got: { key: number; data: number[] }[] = [];
    forEachInBlock(blob, (key, d) => got.push({ key, data: [...d] }));
    expect(got).toEqual([...a, ...b].map((e) => ({ key: e.key, data: [...e.data] })));
  });

  it('names a block by its first key, the same for every key in it', () => {
    expect(blockEntity(1)).toBe(-1);
    expect(blockEntity(BLOCK_KEYS - 1)).toBe(-1);
    expect(blockEntity(BLOCK_KEYS)).toBe(-2);
    // A bucket's parts: each its own range, ascending with the block; the lowest entity names the last part.
    const top = 2 ** 31 - 1;
    for (let part = 0; part < MAX_PARTS; part++) {
      const first = blockEntity(0, part);
      const last = blockEntity(top, part);
      expect(first).toBeLessThan(0);
      expect(partOfEntity(first)).toBe(part);
      expect(partOfEntity(last)).toBe(part);
      if (part > 0) {
        expect(last).toBeLessThan(blockEntity(0, part - 1));
        expect(blockEntity(BLOCK_KEYS, part)).toBe(first + 1);
      }
    }
  });

  it('rejects a truncated block', () => {
    const blob = encodeBlock([{ key: 3, data: bytes(3, 20) }]);
    for (let cut = 1; cut < blob.length; cut++)
      expect(() => forEachInBlock(blob.subarray(0, cut), () => {})).toThrow(SegmentDecodeError);
  });
});
