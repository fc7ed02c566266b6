'use client';

/**
 * The console's reach into its map (DispatchMapInner, owned by the map code) without editing it: the map
 * publishes its MapLibre instance as `window.__pinganMap`; the console pans it to a searched unit and takes
 * one click from it for 接警登记. Once DispatchMap takes `panTo` / `onMapClick` props, this file goes.
 */
interface LngLatLike {
  lng: number;
  lat: number;
}
interface ConsoleMap {
  easeTo(o: { center: [number, number]; zoom?: number; duration?: number }): void;
  getZoom(): number;
  once(type: 'click', fn: (e: { lngLat: LngLatLike }) => void): unknown;
  off(type: 'click', fn: (e: { lngLat: LngLatLike }) => void): unknown;
  getCanvas(): HTMLCanvasElement;
}

/** Zoom a pan to a searched unit goes to at least (street level). */
const PAN_MIN_ZOOM = 15;

function consoleMap(): ConsoleMap | null {
  return (window as unknown as { __pinganMap?: ConsoleMap }).__pinganMap ?? null;
}

/** Pans the console map to a place; false when no map is up (the caller may say so). */
export function panConsoleMap(lng: number, lat: number): boolean {
  const map = consoleMap();
  if (!map) return false;
  map.easeTo({ center: [lng, lat], zoom: Math.max(map.getZoom(), PAN_MIN_ZOOM), duration: 400 });
  return true;
}

/**
 * Takes the next click on the console map as a position (crosshair cursor meanwhile); returns a cancel, or
 * null when no map is up (the form then takes typed coordinates only).
 */
export function pickOnConsoleMap(onPick: (p: LngLatLike) => void): (() => void) | null {
  const map = consoleMap();
  if (!map) return null;
  const canvas = map.getCanvas();
  const previous = canvas.style.cursor;
  canvas.style.cursor = 'crosshair';
  const handler = (e: { lngLat: LngLatLike }) => {
    canvas.style.cursor = previous;
    onPick({ lng: e.lngLat.lng, lat: e.lngLat.lat });
  };
  map.once('click', handler);
  return () => {
    canvas.style.cursor = previous;
    map.off('click', handler);
  };
}
