import { Protocol } from 'pmtiles';

let protocol: Protocol | null = null;

/**
 * Registers the `pmtiles://` protocol with MapLibre, once per page, so a deployment's own `.pmtiles` basemap
 * (BASEMAP_PMTILES, served by GET /api/map/basemap.pmtiles with byte ranges) loads like any other source.
 * Takes the maplibre module as an argument so that lib/ stays free of a maplibre-gl import.
 */
export function registerPmtilesProtocol(maplibre: {
  addProtocol: (name: string, loader: Protocol['tile']) => void;
}): void {
  if (protocol) return;
  protocol = new Protocol();
  maplibre.addProtocol('pmtiles', protocol.tile);
}
