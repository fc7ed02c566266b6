'use client';

import dynamic from 'next/dynamic';
import type { DispatchMapProps } from './DispatchMapInner';

/** MapLibre and deck.gl touch `window` and WebGL: loaded in the browser only, and split from the console's first load. */
const Inner = dynamic(() => import('./DispatchMapInner').then((m) => m.DispatchMapInner), {
  ssr: false,
  loading: () => <div style={{ color: '#7f93b5', padding: 12 }}>地图加载中…</div>,
});

export function DispatchMap(props: DispatchMapProps) {
  return <Inner {...props} />;
}
