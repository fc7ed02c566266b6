import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toWgs84 } from '../geo/crs';
import { ImportFileError, IssueList, MAX_ISSUES_KEPT } from './issues';
import { readTerritoryFile, type RawTerritoryFeature } from './read-territory';
import { checkTerritory, type ExistingTerritory } from './validate-territory';

const NOTHING: ExistingTerritory = { levelOf: () => null, communityOutline: () => null, gridsOf: () => [] };
const square = (x: number, y: number, d: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [x, y],
      [x + d, y],
      [x + d, y + d],
      [x, y + d],
      [x, y],
    ],
  ],
});

async function* each(features: Omit<RawTerritoryFeature, 'index'>[]): AsyncIterable<RawTerritoryFeature> {
  let index = 0;
  for (const f of features) yield { index: index++, ...f };
}

const bytes = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

describe('checkTerritory', () => {
  it('nests by prefix through the file and the database, grids under communities', async () => {
    const stored: ExistingTerritory = {
      ...NOTHING,
      levelOf: (c) => (c === '330106000000' ? 'district' : null),
    };
    const r = await checkTerritory(
      each([
        { code: '330106001000', name: '北山街道', crs: undefined, geometry: square(120, 30, 0.2) },
        { code: '330106001001', name: '曙光社区', crs: undefined, geometry: square(120, 30, 0.1) },
        { code: 330106001001001, name: '一网格', crs: undefined, geometry: square(120, 30, 0.05) },
      ]),
      'wgs84',
      stored,
    );
    expect(r.errors.items).toEqual([]);
    expect(r.features.map((f) => [f.code, f.level, f.parentCode])).toEqual([
      ['330106001000', 'town', '330106000000'],
      ['330106001001', 'community', '330106001000'],
      ['330106001001001', 'grid', '330106001001'],
    ]);
  });

  it('property: a town, community or grid whose parent is nowhere is an error naming that parent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('town', 'community', 'grid'),
        fc.integer({ min: 1, max: 999 }),
        fc.integer({ min: 1, max: 999 }),
        async (level, a, b) => {
          const town = `330106${String(a).padStart(3, '0')}`;
          const code =
            level === 'town'
              ? `${town}000`
              : level === 'community'
                ? `${town}${String(b).padStart(3, '0')}`
                : `${town}${String(b).padStart(3, '0')}001`;
          const parent =
            level === 'town' ? '330106000000' : level === 'community' ? `${town}000` : code.slice(0, 12);
          const r = await checkTerritory(
            each([{ code, name: '某地', crs: undefined, geometry: square(120, 30, 0.01) }]),
            'wgs84',
            NOTHING,
          );
          expect(r.errors.items).toEqual([
            { at: `feature 0 (${code})`, field: 'code', message: expect.stringContaining(parent) },
          ]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('converts a GCJ-02 feature, refuses an unknown crs, warns about sibling overlaps with both codes', async () => {
    const r = await checkTerritory(
      each([
        { code: '330106000000', name: '区', crs: 'gcj02', geometry: square(120, 30, 1) },
        { code: '330107000000', name: '区二', crs: 'mars', geometry: square(120, 30, 1) },
      ]),
      'wgs84',
      NOTHING,
    );
    const [x, y] = toWgs84(120, 30, 'gcj02');
    expect(JSON.parse(r.features[0]!.geometry).coordinates[0][0][0]).toBeCloseTo(x, 6);
    expect(JSON.parse(r.features[0]!.geometry).coordinates[0][0][1]).toBeCloseTo(y, 6);
    expect(r.errors.items).toEqual([
      { at: 'feature 1 (330107000000)', field: 'crs', message: expect.stringContaining('mars') },
    ]);
    const community = (c: string) => (c === '330106001001' ? 'community' : null);
    const o = await checkTerritory(
      each([
        { code: '330106001001001', name: '一', crs: undefined, geometry: square(120, 30, 0.01) },
        { code: '330106001001002', name: '二', crs: undefined, geometry: square(120.005, 30, 0.01) },
      ]),
      'wgs84',
      { ...NOTHING, levelOf: community },
    );
    expect(o.errors.items).toEqual([]);
    expect(o.warnings.items).toEqual([
      {
        at: 'feature 0 (330106001001001)',
        field: 'geometry',
        message: expect.stringMatching(/^与网格 330106001001002 重叠约 \d+ 平方米$/),
      },
    ]);
  });

  it('a 100k-feature file of mistakes: the first 1,000 errors with their place, the rest counted', async () => {
    const features = Array.from({ length: 100_000 }, (_, i) => ({
      type: 'Feature',
      properties: { code: `3301069${String(i).padStart(5, '0')}001`, name: `网格${i}` },
      geometry: square(120, 30, 0.001),
    }));
    const file = await readTerritoryFile(bytes({ type: 'FeatureCollection', features }));
    const errors = new IssueList();
    await checkTerritory(file.features, file.crs, NOTHING, { errors });
    expect(errors.items).toHaveLength(MAX_ISSUES_KEPT);
    expect(errors.more).toBe(100_000 - MAX_ISSUES_KEPT);
    expect(errors.items[999]!.at).toBe('feature 999 (330106900999001)');
  });
});

describe('readTerritoryFile', () => {
  it('places broken JSON by line and column', async () => {
    const text = '{"type":"FeatureCollection",\n"features":[{"type":"Feature",]}';
    const err = await readTerritoryFile(bytes(text)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as ImportFileError).at).toMatch(/^line 2, column \d+$/);
  });

  it('reads a GBK-encoded GeoJSON and a named crs', async () => {
    const { default: iconv } = await import('iconv-lite');
    const doc = {
      type: 'FeatureCollection',
      crs: { type: 'name', properties: { name: 'GCJ02' } },
      features: [{ type: 'Feature', properties: { code: '330106000000', name: '西湖区' }, geometry: null }],
    };
    const file = await readTerritoryFile(iconv.encode(JSON.stringify(doc), 'gbk'));
    expect(file.crs).toBe('gcj02');
    const got = [];
    for await (const f of file.features) got.push(f.name);
    expect(got).toEqual(['西湖区']);
  });

  it('property: any bytes or JSON document is read or refused with a place, never thrown otherwise', async () => {
    const verdict = async (b: Uint8Array) => {
      try {
        const file = await readTerritoryFile(b);
        const r = await checkTerritory(file.features, file.crs, NOTHING);
        for (const e of r.errors.items) expect(e.at).toMatch(/^(feature \d+|file)/);
      } catch (err) {
        expect(err).toBeInstanceOf(ImportFileError);
      }
    };
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), (b) => verdict(b)));
    await fc.assert(fc.asyncProperty(fc.jsonValue(), (v) => verdict(bytes(v))));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { maxLength: 5 }), (features) =>
        verdict(bytes({ type: 'FeatureCollection', features })),
      ),
    );
    // A zip that is not a Shapefile, or not a zip at all past its magic.
    await verdict(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]));
  });
});
