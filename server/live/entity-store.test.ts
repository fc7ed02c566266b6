import { describe, expect, it } from 'vitest';
import { EntityStore } from './entity-store';

describe('EntityStore metadata columns', () => {
  it('reads back each entity’s id, name and type, and a patch changes only what it names', () => {
    const s = new EntityStore('vehicle');
    const metas = Array.from({ length: 3_000 }, (_, k) => ({
      id: k % 7 === 0 ? `车-${k}` : `V-${k}`, // some ids wide (not one byte a character)
      name: k % 5 === 0 ? null : `巡逻车 ${k}`,
      kind: k % 3 === 0 ? null : ['patrol_car', 'motorbike'][k % 2]!,
    }));
    for (const m of metas) s.add(m);
    expect(s.add(metas[42]!)).toBe(42); // known id: its index, nothing added
    expect(s.count).toBe(3_000);
    metas.forEach((m, i) => {
      expect(s.idOf(i)).toBe(m.id);
      expect(s.metaOf(i)).toEqual(m);
    });
    expect(s.idsIn(2_998, 5_000)).toEqual([metas[2_998]!.id, metas[2_999]!.id]);
    s.setMeta(7, { name: '新名' });
    expect(s.metaOf(7)).toEqual({ ...metas[7]!, name: '新名' });
    s.setMeta(8, { kind: 'drone' });
    expect(s.metaOf(8)).toEqual({ ...metas[8]!, kind: 'drone' });
    s.setMeta(9, { kind: null, name: null });
    expect(s.metaOf(9)).toEqual({ id: metas[9]!.id, name: null, kind: null });
    expect(s.metaOf(3_000)).toBeUndefined();
    expect(s.metaOf(-1)).toBeUndefined();
    expect(s.getById('V-1')).toMatchObject({ idx: 1, id: 'V-1', name: '巡逻车 1', kind: 'motorbike' });
  });
});
