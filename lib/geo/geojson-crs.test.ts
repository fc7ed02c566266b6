import gcoord from 'gcoord';
import { describe, expect, it } from 'vitest';
import { bboxToDrawCrs, geoJsonToDrawCrs } from './geojson-crs';

const fc = {
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { name: '府河', coordinates: [1, 2] },
      geometry: {
        type: 'MultiLineString',
        coordinates: [
          [
            [104.06, 30.67],
            [104.07, 30.68],
          ],
        ],
      },
    },
    { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [104.1, 30.6] } },
  ],
};

describe('geoJsonToDrawCrs', () => {
  it('returns the value itself for WGS-84', () => {
    expect(geoJsonToDrawCrs(fc, 'wgs84')).toBe(fc);
  });

  it('moves every position (any nesting) to GCJ-02 and leaves properties alone', () => {
    const out = geoJsonToDrawCrs(fc, 'gcj02');
    const exact = gcoord.transform([104.07, 30.68], gcoord.WGS84, gcoord.GCJ02) as number[];
    const line = out.features[0]!.geometry.coordinates as number[][][];
    expect(line[0]![1]![0]).toBeCloseTo(exact[0]!, 5);
    expect(line[0]![1]![1]).toBeCloseTo(exact[1]!, 5);
    expect(out.features[0]!.properties).toEqual({ name: '府河', coordinates: [1, 2] });
    const pt = out.features[1]!.geometry.coordinates as unknown as number[];
    expect(pt[0]).not.toBe(104.1);
    expect(fc.features[1]!.geometry.coordinates).toEqual([104.1, 30.6]); // input untouched
  });

  it('moves a bbox by its corners', () => {
    const b = bboxToDrawCrs([104, 30.5, 104.2, 30.7], 'gcj02');
    expect(b[0]).toBeGreaterThan(104);
    expect(b[2]).toBeGreaterThan(104.2);
  });
});
