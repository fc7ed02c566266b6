'use client';

import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsOption } from 'echarts';

// Only what the panels use: keeps the wall's chart code small (B6).
echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  CanvasRenderer,
]);

export interface EChartProps {
  option: EChartsOption;
  /** Called with the clicked datum's `code` (bars that stand for a region carry one). */
  onPickCode?: (code: string) => void;
  testId?: string;
}

/**
 * One ECharts instance per panel. setOption merges, so updated numbers animate in place rather than the
 * chart being rebuilt; a ResizeObserver follows the panel (the wall is resized, never reloaded).
 */
export function EChartInner({ option, onPickCode, testId }: EChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const pick = useRef(onPickCode);
  pick.current = onPickCode;

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (p) => {
      const code = (p.data as { code?: string } | undefined)?.code;
      if (code) pick.current?.(code);
    });
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option, { notMerge: false, lazyUpdate: true });
  }, [option]);

  return <div ref={el} style={{ width: '100%', height: '100%' }} data-testid={testId} />;
}
