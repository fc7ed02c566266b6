'use client';

import { useEffect, useRef, useState } from 'react';
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
  /** `data-chart` on the container (defaults to testId): tests find the instance by it. */
  name?: string;
}

/**
 * Tests (and an operator's console) read a chart's live option back with
 * `window.__pinganEcharts.getInstanceByDom(document.querySelector('[data-chart=category]'))`.
 */
declare global {
  interface Window {
    __pinganEcharts?: { getInstanceByDom: typeof echarts.getInstanceByDom };
  }
}

/**
 * Canvas pixels per CSS pixel: the screen's ratio times the stage's scale (the stage is a CSS transform, so
 * a chart drawn at ratio 1 on an 8K wall would be blown up 4× and blurred). Quantised so that sub-pixel
 * layout changes do not rebuild the chart.
 */
function pixelRatio(el: HTMLElement): number {
  const stageScale = el.offsetWidth > 0 ? el.getBoundingClientRect().width / el.offsetWidth : 1;
  return Math.max(1, Math.round(window.devicePixelRatio * stageScale * 4) / 4);
}

/** How many of each component an option has: merging two options of different shape leaves debris. */
function shape(o: EChartsOption): string {
  return (['grid', 'xAxis', 'yAxis', 'series', 'legend', 'title'] as const)
    .map((k) => {
      const v = o[k];
      return Array.isArray(v) ? v.length : v ? 1 : 0;
    })
    .join(',');
}

/**
 * One ECharts instance per panel. setOption merges, so updated numbers animate in place rather than the
 * chart being rebuilt; a ResizeObserver follows the panel (the wall is resized, never reloaded). When the
 * stage's scale changes (briefing mode, another screen) the chart is rebuilt at the new pixel ratio.
 */
export function EChartInner({ option, onPickCode, testId, name }: EChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const pick = useRef(onPickCode);
  pick.current = onPickCode;
  const latest = useRef(option);
  latest.current = option;
  /** The shape (see shape()) of what the chart holds now. */
  const shown = useRef('');
  const [ratio, setRatio] = useState<number | null>(null);

  useEffect(() => {
    if (!el.current) return;
    window.__pinganEcharts ??= { getInstanceByDom: echarts.getInstanceByDom };
    const r = ratio ?? pixelRatio(el.current);
    const c = echarts.init(el.current, undefined, { renderer: 'canvas', devicePixelRatio: r });
    chart.current = c;
    c.setOption(latest.current);
    shown.current = shape(latest.current);
    c.on('click', (p) => {
      const code = (p.data as { code?: string } | undefined)?.code;
      if (code) pick.current?.(code);
    });
    const ro = new ResizeObserver(() => {
      if (!el.current) return;
      const next = pixelRatio(el.current);
      if (next !== r) setRatio(next);
      else c.resize();
    });
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [ratio]);

  useEffect(() => {
    // Same layout: merge, so numbers animate in place. A different layout (a bar list grew a column):
    // replace, or the old column's axes and bars would stay behind.
    const s = shape(option);
    chart.current?.setOption(option, { notMerge: s !== shown.current, lazyUpdate: true });
    shown.current = s;
  }, [option]);

  return (
    <div
      ref={el}
      style={{ width: '100%', height: '100%' }}
      data-testid={testId}
      data-chart={name ?? testId}
    />
  );
}
