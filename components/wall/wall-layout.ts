/**
 * Where the wall's columns and the map go on a stage of any width (design pixels; Stage.tsx scales them).
 * A 16:9 screen has a panel column each side of the map. A splice wall (32:9, 48:9) is wider than the
 * territory: stretching the map's share would leave it floating in black, so the map's share is sized to the
 * territory's own shape and the rest of the width goes to extra columns (town cards on the left; the camera
 * wall and the dispatch queue on the right). Pure, so the geometry is testable without a browser.
 */
export const HEADER_H = 96;
export const MARGIN = 20;
export const GAP = 20;
export const COLUMN_W = 460;
/** Columns start below the header. */
export const COLUMN_TOP = 108;
/** Room the map keeps at its bottom for the layer controls and legend. */
export const CONTROLS_H = 90;
/** An extra column narrower than this is not worth having: the map keeps the width instead. */
export const EXTRA_MIN_W = 380;
/**
 * Without room for extra columns (16:9), the two columns widen by up to this much each for a territory
 * narrower than the middle, so it still meets them.
 */
export const COLUMN_GROW_MAX = 120;
/**
 * The map's share never gets narrower than this, whatever the territory's shape (below what a briefing
 * canvas, 900 design px tall, gives a square territory: a floor above it left bands beside the map).
 */
export const MAP_MIN_W = 560;
/** A territory of unknown shape (no world seeded yet) is laid out as this wide for its height. */
export const DEFAULT_ASPECT = 1.3;
/**
 * The map's share is made this much narrower than the territory drawn at full height, so the fit is bound
 * by the width: the territory then meets the columns on both sides (a little room shows above and below
 * instead, where the header and the controls are anyway).
 */
const WIDTH_BOUND = 0.96;

export interface Span {
  /** Left edge, design pixels from the stage's left. */
  x: number;
  w: number;
}

export interface WallLayout {
  leftExtra: Span | null;
  leftCol: Span;
  map: Span;
  rightCol: Span;
  /** `isSplit`: wide enough for the camera wall and the dispatch queue side by side. */
  rightExtra: (Span & { isSplit: boolean }) | null;
  /** The map's box in design pixels: top and bottom edges included (for the map's fit padding). */
  mapTop: number;
  mapBottom: number;
}

/**
 * `aspect`: the territory's width over height as drawn (Web Mercator), or null when unknown.
 */
export function wallLayout(stageW: number, stageH: number, aspect: number | null): WallLayout {
  const mapTop = HEADER_H + GAP;
  const mapBottom = stageH - CONTROLS_H;
  const mapH = Math.max(1, mapBottom - mapTop);
  // Two panel columns with margins and gaps: what a 16:9 screen has.
  const baseMapW = stageW - 2 * (MARGIN + COLUMN_W + GAP);
  const fitW = Math.max(MAP_MIN_W, (aspect && aspect > 0 ? aspect : DEFAULT_ASPECT) * mapH * WIDTH_BOUND);
  // Width the map would leave over if it took only what the territory fills, split between two sides.
  const spare = (baseMapW - fitW) / 2 - GAP;
  const extraW = spare >= EXTRA_MIN_W ? Math.floor(spare) : 0;
  const grow = extraW ? 0 : Math.max(0, Math.min(COLUMN_GROW_MAX, Math.floor((baseMapW - fitW) / 2)));
  const colW = COLUMN_W + grow;
  const leftExtra = extraW ? { x: MARGIN, w: extraW } : null;
  const leftCol = { x: MARGIN + (extraW ? extraW + GAP : 0), w: colW };
  const mapX = leftCol.x + colW + GAP;
  const rightColX = stageW - MARGIN - (extraW ? extraW + GAP : 0) - colW;
  return {
    leftExtra,
    leftCol,
    map: { x: mapX, w: rightColX - GAP - mapX },
    rightCol: { x: rightColX, w: colW },
    rightExtra: extraW
      ? { x: stageW - MARGIN - extraW, w: extraW, isSplit: extraW >= 2 * EXTRA_MIN_W + GAP }
      : null,
    mapTop,
    mapBottom,
  };
}

/** Width over height of a lng/lat box as Web Mercator draws it (near enough at district scale). */
export function mercatorAspect(bbox: readonly [number, number, number, number] | null): number | null {
  if (!bbox) return null;
  const [w, s, e, n] = bbox;
  const y = (lat: number) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
  const dy = y(n) - y(s);
  const dx = ((e - w) * Math.PI) / 180;
  return dx > 0 && dy > 0 ? dx / dy : null;
}
