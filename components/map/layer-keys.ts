/** The map's toggleable layers. Kept apart from wall-layers.ts so the page can name them without pulling
 * deck.gl into its first load (B6): deck.gl loads with the map, after the page. */
export const MAP_LAYER_KEYS = ['grids', 'incidents', 'vehicles', 'workers', 'trails', 'cameras'] as const;
export type MapLayerKey = (typeof MAP_LAYER_KEYS)[number];
