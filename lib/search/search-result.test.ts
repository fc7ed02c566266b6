import { describe, expect, it } from 'vitest';
import { groupByKind, type SearchResult } from './search-result';

describe('search results', () => {
  it('groups by kind in a fixed order, keeping each kind best first', () => {
    const r = (kind: SearchResult['kind'], id: string): SearchResult => ({ kind, id, name: id });
    const groups = groupByKind([
      r('vehicle', 'v2'),
      r('incident', 'i1'),
      r('vehicle', 'v1'),
      r('department', 'd1'),
    ]);
    expect(groups.map((g) => [g.kind, g.items.map((i) => i.id)])).toEqual([
      ['incident', ['i1']],
      ['vehicle', ['v2', 'v1']],
      ['department', ['d1']],
    ]);
    expect(groupByKind([])).toEqual([]);
  });
});
