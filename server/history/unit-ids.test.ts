import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdIndex } from '../live/id-index';
import { UnitIds } from './unit-ids';

describe('UnitIds', () => {
  it('answers as the two Maps it replaced for any ids and any order of adding, waiting and binding', () => {
    const id = fc.oneof(
      fc.integer({ min: 0, max: 300 }).map((k) => `V${k}`),
      fc.string({ minLength: 1, maxLength: 10 }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }),
    );
    const op = fc.oneof(fc.record({ add: id }), fc.record({ wait: fc.nat() }), fc.record({ bind: fc.nat() }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        // The ingest thread's index, its storage handed over at each "tick" (each wait, here).
        const live = new IdIndex(10_000, { shared: true });
        const added: string[] = [];
        const ids = new UnitIds();
        // The writer's Maps as they were.
        const byIdx = new Map<number, string>();
        const byId = new Map<string, number>();
        for (const o of ops) {
          if ('add' in o) {
            if (live.get(o.add) >= 0) continue;
            live.add(o.add, added.length);
            added.push(o.add);
          } else if ('wait' in o) {
            if (added.length === 0) continue;
            const idx = o.wait % added.length;
            ids.useLiveIds(live.buffers());
            ids.wait(idx, added[idx]!);
            byIdx.set(idx, added[idx]!);
            byId.set(added[idx]!, idx);
          } else {
            if (added.length === 0) continue;
            const idx = o.bind % added.length;
            ids.bind(idx);
            const unitId = byIdx.get(idx);
            byIdx.delete(idx);
            if (unitId !== undefined) byId.delete(unitId);
          }
        }
        expect(ids.waitingCount).toBe(byId.size);
        added.forEach((unitId, idx) => {
          expect(ids.waitingId(idx)).toBe(byIdx.get(idx));
          expect(ids.isWaiting(idx)).toBe(byIdx.has(idx));
          expect(ids.waitingIdx(unitId)).toBe(byId.get(unitId));
        });
        expect(ids.waitingIdx('never announced')).toBeUndefined();
        const seen: [string, number][] = [];
        ids.forEachWaiting((unitId, idx) => seen.push([unitId, idx]));
        const expected = [...byIdx].sort((a, b) => a[0] - b[0]).map(([idx, unitId]) => [unitId, idx]);
        expect(seen).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('reads ids added before a tick through that tick’s storage after the live index has grown many times', () => {
    const live = new IdIndex(1_000_000, { shared: true });
    const ids = new UnitIds();
    const camera = (i: number) => `34020000001320${String(i).padStart(6, '0')}`;
    for (let i = 0; i < 1_000; i++) live.add(camera(i), i);
    ids.useLiveIds(live.buffers());
    for (let i = 0; i < 1_000; i++) ids.wait(i, camera(i));
    // The live index grows (new slots, arena and offsets) after the tick; the old storage still answers.
    for (let i = 1_000; i < 100_000; i++) live.add(camera(i), i);
    expect(ids.waitingIdx(camera(777))).toBe(777);
    expect(ids.waitingId(999)).toBe(camera(999));
    ids.useLiveIds(live.buffers());
    for (let i = 1_000; i < 100_000; i++) ids.wait(i, camera(i));
    for (let i = 0; i < 100_000; i += 2) ids.bind(i);
    expect(ids.waitingCount).toBe(50_000);
    expect(ids.waitingIdx(camera(777))).toBe(777);
    expect(ids.waitingIdx(camera(778))).toBeUndefined();
    expect(ids.waitingId(99_999)).toBe(camera(99_999));
  });

  it('hands its storage to another thread shared, not copied, as each tick carries it', async () => {
    const live = new IdIndex(100_000, { shared: true });
    for (let i = 0; i < 50_000; i++) live.add(`YUEB${i}`, i);
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.on('message', ({ b, i }) => parentPort.postMessage({
         shared: [b.slots, b.arena, b.start].every((a) => a.buffer instanceof SharedArrayBuffer),
         id: Buffer.from(b.arena.buffer, b.start[i], b.start[i + 1] - b.start[i]).toString('latin1'),
       }));`,
      { eval: true },
    );
    try {
      const ask = (i: number) => {
        const answer = new Promise((resolve) => worker.once('message', resolve));
        worker.postMessage({ b: live.buffers(), i });
        return answer;
      };
      expect(await ask(12_345)).toEqual({ shared: true, id: 'YUEB12345' });
      live.add('YUEB-after', 50_000);
      expect(await ask(50_000)).toEqual({ shared: true, id: 'YUEB-after' });
    } finally {
      await worker.terminate();
    }
  });
});
