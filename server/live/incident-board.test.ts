import { describe, expect, it } from 'vitest';
import type { IncidentView } from '@/lib/domain/incident';
import { IncidentBoard } from './incident-board';

const view = (id: string, title: string): IncidentView => ({
  id,
  category: 'dispute',
  title,
  priority: 2,
  source: 'hotline_12345',
  state: 'reported',
  lng: 104,
  lat: 30,
  address: `幸福路 联系 13812345678`,
  gridCode: null,
  reportedAt: 1,
  receivedAt: 1,
  updatedAt: 1,
  assigneeKind: null,
  assigneeId: null,
  supervision: 0,
});

describe('IncidentBoard variants', () => {
  it('masks free text once per incident version and shares that copy between clients', () => {
    const b = new IncidentBoard();
    b.upsert(view('1', '报警人 13812345678'));
    const [first] = b.snapshot(undefined, 'masked');
    const [again] = b.snapshot(undefined, 'masked');
    expect(first!.title).toBe('报警人 138****5678');
    expect(first!.address).toBe('幸福路 联系 138****5678');
    expect(again).toBe(first); // the same object: no per-client masking cost
    expect(b.changesSince(0, undefined, 'masked')!.upserts[0]).toBe(first);
    expect(b.snapshot()[0]!.title).toBe('报警人 13812345678');

    b.upsert(view('1', '回访 13987654321'));
    const [next] = b.snapshot(undefined, 'masked');
    expect(next).not.toBe(first);
    expect(next!.title).toBe('回访 139****4321');
  });

  it('keeps its own frozen copy: a caller changing its object afterwards changes nothing on the board', () => {
    const b = new IncidentBoard();
    const v = view('1', '原标题');
    b.upsert(v);
    v.title = '改过';
    expect(b.get('1')!.title).toBe('原标题');
    expect(Object.isFrozen(b.get('1'))).toBe(true);
  });
});
