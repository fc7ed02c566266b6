import { describe, expect, it } from 'vitest';
import { expression, featureFilter } from '@maplibre/maplibre-gl-style-spec';
import { areaHeatLevel, areaLevelOfCode, GRID_HEAT, rgbaCss } from '../wall/palette';
import { buildBasemapStyle } from './basemap-style';
import {
  AREA_FILL_LAYER_ID,
  AREA_LINE_LAYER_ID,
  areaFillColorExpression,
  AREA_GRID_MIN_ZOOM,
  areaFilter,
  areaLevelForTileZoom,
  areaLayers,
  areaLayersBefore,
} from './area-style';

describe('area style', () => {
  it('draws only the scoped region’s polygons: a code prefix, anchored at the start', () => {
    const polygon = (code: string) =>
      ({ type: 3, properties: { code }, geometry: [] }) as unknown as Parameters<
        ReturnType<typeof featureFilter>['filter']
      >[1];
    const town = featureFilter(areaFilter('330106001'), 'filter');
    expect(town.filter({ zoom: 12 }, polygon('330106001001001'))).toBe(true);
    expect(town.filter({ zoom: 12 }, polygon('330106002001001'))).toBe(false);
    // The prefix appearing later in a code is no match.
    expect(town.filter({ zoom: 12 }, polygon('999330106001001'))).toBe(false);
    expect(featureFilter(areaFilter(''), 'filter').filter({ zoom: 12 }, polygon('330106002001001'))).toBe(
      true,
    );
    const line = { type: 2, properties: { code: '330106001001001' }, geometry: [] } as never;
    expect(town.filter({ zoom: 12 }, line)).toBe(false);
  });

  it('colours each heat level with its palette colour, and features without a state as level 0', () => {
    const parsed = expression.createExpression(areaFillColorExpression(), {
      type: 'color',
      'property-type': 'data-driven',
      expression: { interpolated: false, parameters: ['zoom', 'feature', 'feature-state'] },
      transition: false,
    } as never);
    if (parsed.result !== 'success') throw new Error(JSON.stringify(parsed.value));
    const colourAt = (state: Record<string, unknown>) => {
      const c = parsed.value.evaluate({ zoom: 12 }, { type: 'Polygon', properties: {} } as never, state);
      return c.toString();
    };
    const expected = (level: number) => {
      const [r, g, b, a] = GRID_HEAT[level]!;
      return `rgba(${r}, ${g}, ${b}, ${Number((a / 255).toFixed(3))})`;
    };
    expect(colourAt({})).toBe(expected(0));
    for (let level = 0; level < GRID_HEAT.length; level++)
      expect(colourAt({ heat: level })).toBe(expected(level));
    expect(colourAt({ heat: areaHeatLevel('grid', 0, 1) })).toBe(expected(4));
  });

  it("grades a grid's heat by open count, and any overdue incident is the hottest", () => {
    expect([0, 1, 2, 4, 5, 50].map((n) => areaHeatLevel('grid', n, 0))).toEqual([0, 1, 2, 2, 3, 3]);
    expect(areaHeatLevel('grid', 1, 1)).toBe(4);
  });

  it('grades communities and towns at their own steps, so a wide view is not all red', () => {
    expect([0, 2, 3, 10, 25].map((n) => areaHeatLevel('community', n, 0))).toEqual([0, 0, 1, 2, 3]);
    expect([9, 10, 30, 99, 100].map((n) => areaHeatLevel('town', n, 0))).toEqual([0, 1, 2, 2, 3]);
    // One overdue incident makes a grid red, not the town around it.
    expect(areaHeatLevel('town', 12, 1)).toBe(1);
    expect(areaHeatLevel('town', 12, 10)).toBe(4);
    expect(areaHeatLevel('community', 3, 3)).toBe(4);
  });

  it('reads the level from the code the counts are keyed by', () => {
    expect(areaLevelOfCode('510101101201001')).toBe('grid');
    expect(areaLevelOfCode('510101101201')).toBe('community');
    expect(areaLevelOfCode('510101101000')).toBe('town');
  });

  it('draws towns when wide, communities one zoom out from grids, and grids from AREA_GRID_MIN_ZOOM', () => {
    expect([0, 6, 8, 9, 10, 14, 20].map(areaLevelForTileZoom)).toEqual([
      'town',
      'town',
      'town',
      'community',
      'grid',
      'grid',
      'grid',
    ]);
    expect(AREA_GRID_MIN_ZOOM).toBe(10);
  });

  it('writes CSS colours MapLibre and browsers both read', () => {
    expect(rgbaCss([255, 59, 59, 85])).toBe('rgba(255, 59, 59, 0.333)');
    expect(rgbaCss([0, 0, 0, 255])).toBe('rgba(0, 0, 0, 1)');
  });

  it('hides and shows both layers together, and slots them under the basemap boundaries', () => {
    expect(areaLayers(false, '').map((l) => [l.id, l.layout?.visibility])).toEqual([
      [AREA_FILL_LAYER_ID, 'none'],
      [AREA_LINE_LAYER_ID, 'none'],
    ]);
    const style = buildBasemapStyle({
      apiBase: 'http://127.0.0.1/api/map',
      name: 'test',
      center: [120, 30],
      bbox: [119.9, 29.9, 120.1, 30.1],
    }) as { layers: { id: string; type: string }[] };
    const before = areaLayersBefore(style.layers);
    expect(before).toBeDefined();
    const ids = style.layers.map((l) => l.id);
    // Everything the areas sit on top of is land, water, parks or roads.
    expect(ids.slice(0, ids.indexOf(before!)).every((id) => !/boundary|label/.test(id))).toBe(true);
    expect(areaLayersBefore([{ id: 'bg', type: 'background' }])).toBeUndefined();
  });
});
