'use client';

import dynamic from 'next/dynamic';
import type { LiveMapProps } from './LiveMapInner';

export type { LiveMapProps, MapPick } from './LiveMapInner';

/**
 * The live map (MapLibre + deck.gl): browser-only and split from the page's first load (B6). Reusable:
 * give it a WallConnection and it draws that connection's entities and incidents.
 */
const Inner = dynamic(() => import('./LiveMapInner').then((m) => m.LiveMapInner), {
  ssr: false,
  loading: () => null,
});

export function LiveMap(props: LiveMapProps) {
  return <Inner {...props} />;
}
