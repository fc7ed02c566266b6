/**
 * The built-in basemap as a MapLibre style, drawn from the generated world: land, water, parks, roads by class,
 * boundaries and Chinese place labels. Everything it references is served by the product (GET /api/map/…),
 * so no request leaves the machine.
 *
 * Labels and fonts: the style deliberately has no `glyphs` URL. MapLibre 6 then rasterises every label
 * character in the browser with TinySDF from local fonts, using `text-font` as a CSS font-family list (and
 * `localIdeographFontFamily` for CJK when a glyphs URL is set). So labels need no font files and no network,
 * and any Chinese system font (Noto Sans CJK, PingFang, Microsoft YaHei, WenQuanYi) draws them.
 */

type Json = Record<string, unknown>;

export const BASEMAP_COLORS = {
  background: '#050f1e',
  land: '#0b1d33',
  park: '#0d2f33',
  water: '#0d3a62',
  roadLocal: '#15304f',
  roadSecondary: '#1d4570',
  roadArterial: '#2a6396',
  boundaryCommunity: '#24476e',
  boundaryTown: '#3d86c6',
  boundaryDistrict: '#4fc3f7',
  labelDistrict: '#a8dcff',
  labelTown: '#8cc4ee',
  labelCommunity: '#6d96bf',
  labelPoi: '#c8a96e',
  labelRoad: '#6f90b3',
  labelWater: '#4f93c8',
  halo: '#050f1e',
} as const;

/** CSS families tried in order for labels (see the note above): whatever CJK font the wall's OS has. */
export const LABEL_FONTS = [
  'Noto Sans CJK SC',
  'Noto Sans SC',
  'Source Han Sans SC',
  'PingFang SC',
  'Microsoft YaHei',
  'WenQuanYi Micro Hei',
  'sans-serif',
];
/** The first name carries "Bold", from which MapLibre picks the weight; the rest fall back as above. */
export const LABEL_FONTS_BOLD = ['Noto Sans CJK SC Bold', ...LABEL_FONTS];

export const BASEMAP_SOURCES = ['land', 'water', 'parks', 'roads', 'boundaries', 'places'] as const;
export type BasemapSource = (typeof BASEMAP_SOURCES)[number];

export interface BasemapStyleInput {
  /** Absolute URL of the map API, e.g. http://10.0.0.5:3000/api/map (no trailing slash). */
  apiBase: string;
  name: string;
  center: [number, number];
  bbox: [number, number, number, number];
  /** The system the data (and center/bbox) are in: BASEMAP_CRS. */
  crs?: 'wgs84' | 'gcj02';
}

/** Metres per pixel at zoom 0 at the equator (512 px tiles, as MapLibre uses). */
const M_PER_PX_Z0 = 78_271.517;

/** A line width that tracks a width in metres across zooms (rivers are as wide as they are). */
function metresWide(lat: number, widthProp: string): unknown {
  const mpp = (z: number) => (M_PER_PX_Z0 * Math.cos((lat * Math.PI) / 180)) / 2 ** z;
  return [
    'interpolate',
    ['exponential', 2],
    ['zoom'],
    8,
    ['max', 0.6, ['/', ['get', widthProp], mpp(8)]],
    18,
    ['/', ['get', widthProp], mpp(18)],
  ];
}

const byZoom = (...stops: number[]): unknown => ['interpolate', ['exponential', 1.6], ['zoom'], ...stops];

export function buildBasemapStyle(i: BasemapStyleInput): Json {
  const c = BASEMAP_COLORS;
  const src = (name: BasemapSource): Json => ({
    type: 'geojson',
    data: `${i.apiBase}/data/${name}.geojson`,
    attribution: '平安大屏 演示底图',
  });
  const label = (
    fonts: string[],
    size: unknown,
    color: string,
    extra: Json = {},
  ): { layout: Json; paint: Json } => ({
    layout: {
      'text-field': ['get', 'name'],
      'text-font': fonts,
      'text-size': size,
      'text-max-width': 8,
      ...extra,
    },
    paint: { 'text-color': color, 'text-halo-color': c.halo, 'text-halo-width': 1.4, 'text-halo-blur': 0.5 },
  });
  const roadLine = (id: string, cls: string, color: string, minzoom: number, width: unknown): Json => ({
    id,
    type: 'line',
    source: 'roads',
    minzoom,
    filter: ['==', ['get', 'cls'], cls],
    layout: { 'line-join': 'round', 'line-cap': 'round' },
    paint: { 'line-color': color, 'line-width': width },
  });
  return {
    version: 8,
    name: `${i.name} 演示底图`,
    center: i.center,
    zoom: 11,
    metadata: { 'pingan:bbox': i.bbox, 'pingan:crs': i.crs ?? 'wgs84' },
    sources: Object.fromEntries(BASEMAP_SOURCES.map((s) => [s, src(s)])),
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': c.background } },
      { id: 'land', type: 'fill', source: 'land', paint: { 'fill-color': c.land } },
      {
        id: 'park',
        type: 'fill',
        source: 'parks',
        minzoom: 10,
        paint: { 'fill-color': c.park, 'fill-opacity': 0.9 },
      },
      {
        id: 'water-area',
        type: 'fill',
        source: 'water',
        filter: ['==', ['geometry-type'], 'Polygon'],
        paint: { 'fill-color': c.water },
      },
      {
        id: 'water-river',
        type: 'line',
        source: 'water',
        filter: ['==', ['geometry-type'], 'LineString'],
        layout: { 'line-join': 'round', 'line-cap': 'round' },
        paint: { 'line-color': c.water, 'line-width': metresWide(i.center[1], 'widthM') },
      },
      roadLine('road-local', 'local', c.roadLocal, 12, byZoom(12, 0.5, 14, 1.5, 18, 10)),
      roadLine('road-secondary', 'secondary', c.roadSecondary, 10, byZoom(10, 0.6, 14, 2.5, 18, 14)),
      roadLine('road-arterial', 'arterial', c.roadArterial, 0, byZoom(8, 0.6, 12, 1.6, 14, 4, 18, 20)),
      roadLine('road-expressway', 'expressway', c.roadArterial, 0, byZoom(8, 0.8, 12, 2, 14, 5, 18, 24)),
      {
        id: 'boundary-community',
        type: 'line',
        source: 'boundaries',
        minzoom: 12,
        filter: ['==', ['get', 'level'], 'community'],
        paint: { 'line-color': c.boundaryCommunity, 'line-width': 0.8, 'line-dasharray': [2, 2] },
      },
      {
        id: 'boundary-town',
        type: 'line',
        source: 'boundaries',
        filter: ['==', ['get', 'level'], 'town'],
        paint: {
          'line-color': c.boundaryTown,
          'line-width': byZoom(9, 0.8, 14, 1.6),
          'line-dasharray': [4, 2],
          'line-opacity': 0.75,
        },
      },
      {
        id: 'boundary-district-glow',
        type: 'line',
        source: 'boundaries',
        filter: ['in', ['get', 'level'], ['literal', ['district', 'city']]],
        paint: { 'line-color': c.boundaryDistrict, 'line-width': 8, 'line-blur': 6, 'line-opacity': 0.35 },
      },
      {
        id: 'boundary-district',
        type: 'line',
        source: 'boundaries',
        filter: ['in', ['get', 'level'], ['literal', ['district', 'city']]],
        paint: { 'line-color': c.boundaryDistrict, 'line-width': 1.8 },
      },
      {
        id: 'label-road',
        type: 'symbol',
        source: 'roads',
        minzoom: 14,
        ...label(LABEL_FONTS, 11, c.labelRoad, {
          'symbol-placement': 'line',
          'symbol-spacing': 400,
          'text-rotation-alignment': 'map',
        }),
      },
      {
        id: 'label-water',
        type: 'symbol',
        source: 'water',
        minzoom: 11,
        ...label(LABEL_FONTS, 12, c.labelWater, {
          'symbol-placement': 'line',
          'symbol-spacing': 600,
          'text-letter-spacing': 0.3,
        }),
      },
      {
        id: 'label-poi',
        type: 'symbol',
        source: 'places',
        minzoom: 14,
        filter: ['==', ['get', 'kind'], 'poi'],
        ...label(LABEL_FONTS, 11, c.labelPoi, { 'text-anchor': 'top', 'text-offset': [0, 0.4] }),
      },
      {
        id: 'label-community',
        type: 'symbol',
        source: 'places',
        minzoom: 12.5,
        filter: ['==', ['get', 'kind'], 'community'],
        ...label(LABEL_FONTS, 12, c.labelCommunity),
      },
      {
        id: 'label-town',
        type: 'symbol',
        source: 'places',
        minzoom: 9.5,
        maxzoom: 15,
        filter: ['==', ['get', 'kind'], 'town'],
        ...label(LABEL_FONTS_BOLD, byZoom(10, 13, 14, 17), c.labelTown),
      },
      {
        id: 'label-district',
        type: 'symbol',
        source: 'places',
        maxzoom: 12,
        filter: ['in', ['get', 'kind'], ['literal', ['district', 'city']]],
        ...label(LABEL_FONTS_BOLD, byZoom(6, 14, 11, 22), c.labelDistrict, { 'text-letter-spacing': 0.2 }),
      },
    ],
  };
}

export interface PmtilesStyleInput {
  /** `pmtiles://` + the absolute URL of the archive. */
  sourceUrl: string;
  isVector: boolean;
  /** Layer ids from the archive's metadata (vector archives). */
  vectorLayers: string[];
  center: [number, number];
  zoom: number;
}

/**
 * A plain dark style for a deployment's own .pmtiles archive. Protomaps basemap layer names (earth, water,
 * landuse, roads, boundaries, places) get their proper roles; any other layer is drawn generically.
 */
export function buildPmtilesStyle(i: PmtilesStyleInput): Json {
  const c = BASEMAP_COLORS;
  const layers: Json[] = [
    { id: 'background', type: 'background', paint: { 'background-color': c.background } },
  ];
  if (!i.isVector) {
    layers.push({
      id: 'raster',
      type: 'raster',
      source: 'basemap',
      paint: { 'raster-saturation': -0.6, 'raster-brightness-max': 0.55 },
    });
  } else {
    for (const id of i.vectorLayers) {
      const fill =
        id === 'earth'
          ? c.land
          : id === 'water'
            ? c.water
            : id === 'landuse' || id === 'landcover'
              ? c.park
              : null;
      const line =
        id === 'roads' || id === 'transportation'
          ? c.roadSecondary
          : id === 'boundaries' || id === 'boundary'
            ? c.boundaryTown
            : c.roadLocal;
      layers.push({
        id: `${id}-fill`,
        type: 'fill',
        source: 'basemap',
        'source-layer': id,
        filter: ['==', ['geometry-type'], 'Polygon'],
        paint: { 'fill-color': fill ?? c.land, 'fill-opacity': fill ? 1 : 0.4 },
      });
      layers.push({
        id: `${id}-line`,
        type: 'line',
        source: 'basemap',
        'source-layer': id,
        filter: ['==', ['geometry-type'], 'LineString'],
        paint: { 'line-color': line, 'line-width': 1 },
      });
      if (id === 'places' || id === 'place' || id === 'pois' || id === 'poi') {
        layers.push({
          id: `${id}-label`,
          type: 'symbol',
          source: 'basemap',
          'source-layer': id,
          filter: ['==', ['geometry-type'], 'Point'],
          layout: {
            'text-field': ['coalesce', ['get', 'name:zh'], ['get', 'name_zh'], ['get', 'name']],
            'text-font': LABEL_FONTS,
            'text-size': 12,
          },
          paint: { 'text-color': c.labelTown, 'text-halo-color': c.halo, 'text-halo-width': 1.4 },
        });
      }
    }
  }
  return {
    version: 8,
    name: '部署底图',
    center: i.center,
    zoom: i.zoom,
    sources: {
      basemap: {
        type: i.isVector ? 'vector' : 'raster',
        url: i.sourceUrl,
        ...(i.isVector ? {} : { tileSize: 256 }),
      },
    },
    layers,
  };
}
