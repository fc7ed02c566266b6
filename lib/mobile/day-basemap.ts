import { BASEMAP_COLORS } from '../map/basemap-style';

/**
 * The phone's basemap is the wall's own style (same sources, same offline server) redrawn in day colours.
 * The wall's palette is dark navy on purpose (a control room at night); in the street at noon the same
 * map reads as a black rectangle, so every wall colour is swapped for a light one, and labels are made
 * large enough for a phone held at arm's length. Styles we did not make (a deployment's own style URL)
 * keep their colours: only values that are ours are swapped.
 */
export const DAY_COLORS: Record<keyof typeof BASEMAP_COLORS, string> = {
  background: '#e9edf1',
  land: '#f6f4ee',
  park: '#c8e6bd',
  water: '#8fc3ee',
  roadLocal: '#b3bac5',
  roadSecondary: '#8792a3',
  roadArterial: '#e0912c',
  boundaryCommunity: '#7b5ea7',
  boundaryTown: '#5b3c99',
  boundaryDistrict: '#3b2473',
  labelDistrict: '#14243d',
  labelTown: '#1b2f4f',
  labelCommunity: '#22324a',
  labelPoi: '#6b4510',
  labelRoad: '#374252',
  labelWater: '#17548c',
  halo: '#ffffff',
};

/** Smallest label on the phone (the wall's 11 px road names are unreadable in sunlight). */
export const DAY_MIN_TEXT_PX = 14;

type Json = Record<string, unknown>;

/** Night colour → day colour; the halo shares its value with the background, so it is told apart by property. */
const SWAP = new Map<string, string>();
for (const key of Object.keys(BASEMAP_COLORS) as (keyof typeof BASEMAP_COLORS)[]) {
  const night = BASEMAP_COLORS[key].toLowerCase();
  if (key !== 'halo' && !SWAP.has(night)) SWAP.set(night, DAY_COLORS[key]);
}

function swapPaint(paint: Json): Json {
  const out: Json = {};
  for (const [prop, value] of Object.entries(paint)) {
    // The wall dims a raster basemap to sit under its markers; in daylight it is shown as it is.
    if (prop === 'raster-brightness-max' || prop === 'raster-saturation') continue;
    if (typeof value !== 'string') out[prop] = value;
    else if (prop === 'text-halo-color' && value.toLowerCase() === BASEMAP_COLORS.halo)
      out[prop] = DAY_COLORS.halo;
    else out[prop] = SWAP.get(value.toLowerCase()) ?? value;
  }
  return out;
}

/** The same style in day colours (pure: the input is not changed). A style that is a URL is left alone. */
export function dayBasemapStyle<T>(style: T): T {
  if (!style || typeof style !== 'object') return style;
  const s = style as Json;
  if (!Array.isArray(s.layers)) return style;
  const layers = (s.layers as Json[]).map((layer) => {
    const next: Json = { ...layer };
    if (layer.paint && typeof layer.paint === 'object') next.paint = swapPaint(layer.paint as Json);
    const layout = layer.layout as Json | undefined;
    if (layout && typeof layout['text-size'] === 'number')
      next.layout = { ...layout, 'text-size': Math.max(layout['text-size'], DAY_MIN_TEXT_PX) };
    return next;
  });
  return { ...s, layers } as T;
}
