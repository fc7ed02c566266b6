import { describe, expect, it } from 'vitest';
import { validateStyleMin } from '@maplibre/maplibre-gl-style-spec';
import { BASEMAP_COLORS, buildBasemapStyle, buildPmtilesStyle } from '../map/basemap-style';
import { DAY_COLORS, DAY_MIN_TEXT_PX, dayBasemapStyle } from './day-basemap';

const wallStyle = () =>
  buildBasemapStyle({
    apiBase: 'http://127.0.0.1:3000/api/map',
    name: '演示区',
    center: [104.07, 30.6],
    bbox: [103.8, 30.4, 104.35, 30.95],
  });

/** Every colour string anywhere in a paint block. */
function paintColours(style: unknown): string[] {
  const out: string[] = [];
  for (const layer of (style as { layers: { paint?: Record<string, unknown> }[] }).layers)
    for (const v of Object.values(layer.paint ?? {})) if (typeof v === 'string') out.push(v.toLowerCase());
  return out;
}

/** Relative luminance (0 black … 1 white) of #rrggbb. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

describe('day basemap for the phone', () => {
  it('swaps every wall colour of the built-in style for a light one and stays a valid style', () => {
    const night = wallStyle();
    const before = JSON.stringify(night);
    const day = dayBasemapStyle(night);
    expect(JSON.stringify(night)).toBe(before); // pure
    const nightValues = new Set(Object.values(BASEMAP_COLORS).map((c) => c.toLowerCase()));
    const colours = paintColours(day);
    expect(colours.length).toBeGreaterThan(10);
    expect(colours.filter((c) => nightValues.has(c))).toEqual([]);
    expect(validateStyleMin(day as never)).toEqual([]);
    const layers = (day as { layers: { id: string; paint?: Record<string, unknown> }[] }).layers;
    const paintOf = (id: string) => layers.find((l) => l.id === id)!.paint!;
    // The ground is light, labels are dark on a white halo: readable in sunlight.
    expect(luminance(paintOf('background')['background-color'] as string)).toBeGreaterThan(0.8);
    expect(luminance(paintOf('land')['fill-color'] as string)).toBeGreaterThan(0.8);
    expect(paintOf('label-community')['text-halo-color']).toBe(DAY_COLORS.halo);
    expect(luminance(paintOf('label-community')['text-color'] as string)).toBeLessThan(0.2);
  });

  it('makes labels at least the phone minimum and leaves zoom-driven sizes as they are', () => {
    const day = dayBasemapStyle(wallStyle()) as { layers: { layout?: Record<string, unknown> }[] };
    const sizes = day.layers.map((l) => l.layout?.['text-size']).filter((s) => typeof s === 'number');
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.min(...(sizes as number[]))).toBeGreaterThanOrEqual(DAY_MIN_TEXT_PX);
  });

  it('shows a raster archive undimmed and leaves a style URL or a foreign colour alone', () => {
    const raster = buildPmtilesStyle({
      sourceUrl: 'pmtiles://http://127.0.0.1/api/map/basemap.pmtiles',
      isVector: false,
      vectorLayers: [],
      center: [104, 30],
      zoom: 10,
    });
    const paint = (dayBasemapStyle(raster) as { layers: { id: string; paint: object }[] }).layers.find(
      (l) => l.id === 'raster',
    )!.paint;
    expect(paint).toEqual({});
    expect(dayBasemapStyle('https://tiles.example/style.json')).toBe('https://tiles.example/style.json');
    const foreign = {
      version: 8,
      sources: {},
      layers: [{ id: 'x', type: 'background', paint: { 'background-color': '#123456' } }],
    };
    expect(dayBasemapStyle(foreign)).toEqual(foreign);
  });
});
