/**
 * What a unit's track or an incident's playback draws over a map (issue 17), and the area it covers. Free of
 * deck.gl: the drawer and its sections are in the wall's first load, the overlay's layers (track-layer.ts)
 * are fetched when a track is first shown.
 */
import type { TrackPoint, TrackStop } from '@/lib/history/contract';
import { placesBbox } from '@/lib/history/track-view';
import type { Rgba } from '@/lib/wall/palette';

export interface TrackMark {
  lng: number;
  lat: number;
  /** Digits only (the list beside the map carries the words): "1", "2"… */
  label: string;
  color: Rgba;
}

export interface TrackOverlay {
  /** A new key refits the map to the overlay (a new unit, period or incident); redraws keep the view. */
  key: string;
  points: TrackPoint[];
  stops: TrackStop[];
  /** Numbered places: the stops' numbers, or a playback's steps. */
  marks: TrackMark[];
  /** Other places to show: the incidents handled on the way, or the playback's scene. */
  incidents: { id: string; lng: number; lat: number; priority: number }[];
}

/** The overlay's extent (stored WGS-84), for fitting the map to it; null when it has nothing to show. */
export function trackOverlayBbox(o: TrackOverlay | null): [number, number, number, number] | null {
  if (!o) return null;
  return placesBbox([...o.points, ...o.incidents, ...o.marks]);
}
