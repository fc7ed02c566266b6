import { describe, expect, it } from 'vitest';
import { COLUMN_GROW_MAX, COLUMN_W, GAP, MAP_MIN_W, MARGIN, mercatorAspect, wallLayout } from './wall-layout';

describe('wallLayout', () => {
  it('keeps a 16:9 screen to two columns and the map between them', () => {
    const l = wallLayout(1920, 1080, 1.3);
    expect(l.leftExtra).toBeNull();
    expect(l.rightExtra).toBeNull();
    expect(l.leftCol).toEqual({ x: MARGIN, w: COLUMN_W });
    expect(l.map).toEqual({ x: 500, w: 920 });
    expect(l.rightCol.x + l.rightCol.w).toBe(1920 - MARGIN);
  });

  it('gives a 32:9 wall one extra column a side and sizes the map to the territory', () => {
    const l = wallLayout(3840, 1080, 1.6);
    expect(l.leftExtra).not.toBeNull();
    expect(l.rightExtra).toMatchObject({ isSplit: false });
    // The map's share is about as wide as the territory drawn at the height the screen leaves it
    // (a little narrower, so the territory meets the columns rather than the header and the controls).
    const fullHeightW = 1.6 * (l.mapBottom - l.mapTop);
    expect(l.map.w).toBeLessThan(fullHeightW);
    expect(l.map.w).toBeGreaterThan(0.9 * fullHeightW);
    expect(l.leftCol.x).toBe(l.leftExtra!.x + l.leftExtra!.w + GAP);
    expect(l.rightExtra!.x).toBe(l.rightCol.x + COLUMN_W + GAP);
    expect(l.rightExtra!.x + l.rightExtra!.w).toBe(3840 - MARGIN);
  });

  it('splits the right-hand extra on a 48:9 wall, and columns never overlap the map', () => {
    const l = wallLayout(5760, 1080, 1.2);
    expect(l.rightExtra).toMatchObject({ isSplit: true });
    expect(l.leftCol.x + l.leftCol.w + GAP).toBe(l.map.x);
    expect(l.map.x + l.map.w + GAP).toBe(l.rightCol.x);
  });

  it('widens a 16:9 screen’s columns for a territory narrower than the middle, within bounds', () => {
    const l = wallLayout(1920, 1080, 0.85);
    expect(l.leftExtra).toBeNull();
    expect(l.leftCol.w).toBeGreaterThan(COLUMN_W);
    expect(l.leftCol.w).toBeLessThanOrEqual(COLUMN_W + COLUMN_GROW_MAX);
    expect(l.rightCol.w).toBe(l.leftCol.w);
    expect(l.map.x).toBe(MARGIN + l.leftCol.w + GAP);
    expect(l.rightCol.x + l.rightCol.w).toBe(1920 - MARGIN);
    // A very tall territory: the map keeps its minimum share.
    const tall = wallLayout(1920, 1080, 0.3);
    expect(tall.map.w).toBeGreaterThanOrEqual(MAP_MIN_W);
    expect(tall.leftCol.w).toBeLessThanOrEqual(COLUMN_W + COLUMN_GROW_MAX);
  });

  it('gives a wide territory the width rather than a column too thin to read', () => {
    const l = wallLayout(2400, 1080, 3);
    expect(l.leftExtra).toBeNull();
    expect(l.map.w).toBe(2400 - 2 * (MARGIN + COLUMN_W + GAP));
  });

  it('measures a box as Mercator draws it: a degree of longitude is narrower away from the equator', () => {
    expect(mercatorAspect([0, -1, 2, 1])).toBeCloseTo(1, 2);
    expect(mercatorAspect([104, 30, 105, 31])).toBeCloseTo(Math.cos((30.5 * Math.PI) / 180), 2);
    expect(mercatorAspect(null)).toBeNull();
    expect(mercatorAspect([1, 1, 1, 2])).toBeNull();
  });
});
