'use client';

import dynamic from 'next/dynamic';
import type { EChartProps } from './EChartInner';

export type { EChartProps } from './EChartInner';

/** ECharts loads after the page (B6: first-load JS of the wall stays small); panels fill in a moment later. */
export const EChart = dynamic<EChartProps>(() => import('./EChartInner').then((m) => m.EChartInner), {
  ssr: false,
  loading: () => null,
});
