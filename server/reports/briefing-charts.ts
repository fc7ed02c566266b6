/**
 * The report's charts, drawn by ECharts' server-side renderer into SVG strings (no DOM, no canvas): the
 * same library as the wall's panels, here with print colours on white paper.
 */
import * as echarts from 'echarts';
import { CATEGORY_LABELS } from '@/lib/domain/enums';
import type { BriefingData } from './briefing-data';

export const REPORT_FONT_FAMILY = 'Noto Sans CJK SC';

/** Escapes text for SVG content and attribute values. */
export const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const INK = '#1f2937';
const MUTED = '#6b7280';
const GRID_LINE = '#e5e7eb';
export const PALETTE = ['#1d4ed8', '#16a34a', '#dc2626', '#d97706', '#7c3aed', '#0891b2'];

function render(option: echarts.EChartsCoreOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: REPORT_FONT_FAMILY, color: INK },
      ...option,
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const axisLabel = { color: MUTED, fontSize: 9, fontFamily: REPORT_FONT_FAMILY };

/** Received and resolved per bucket: bars for 受理, a line for 办结. */
export function trendChartSvg(d: BriefingData, width: number, height: number): string {
  const everyLabel = d.trend.length <= 10 ? 0 : Math.ceil(d.trend.length / 8) - 1;
  return render(
    {
      color: PALETTE.slice(0, 2),
      grid: { left: 34, right: 10, top: 24, bottom: 22 },
      legend: {
        top: 0,
        right: 4,
        itemWidth: 10,
        itemHeight: 8,
        textStyle: { fontSize: 9, color: MUTED, fontFamily: REPORT_FONT_FAMILY },
      },
      xAxis: {
        type: 'category',
        data: d.trend.map((b) => b.label),
        axisLabel: { ...axisLabel, interval: everyLabel },
        axisTick: { show: false },
        axisLine: { lineStyle: { color: GRID_LINE } },
      },
      yAxis: {
        type: 'value',
        minInterval: 1,
        axisLabel,
        splitLine: { lineStyle: { color: GRID_LINE } },
      },
      series: [
        { name: '受理', type: 'bar', barMaxWidth: 14, data: d.trend.map((b) => b.received) },
        {
          name: d.period === 'day' ? '办结' : '其中已办结',
          type: 'line',
          symbol: 'circle',
          symbolSize: 3,
          data: d.trend.map((b) => b.resolved),
        },
      ],
    },
    width,
    height,
  );
}

/** Categories of the period's incidents, most first, as horizontal bars with their counts. */
export function categoryChartSvg(d: BriefingData, width: number, height: number): string {
  const top = d.stats.byCategory.slice(0, 8).reverse();
  return render(
    {
      color: PALETTE.slice(0, 1),
      grid: { left: 58, right: 30, top: 6, bottom: 6 },
      xAxis: { type: 'value', show: false },
      yAxis: {
        type: 'category',
        data: top.map((c) => CATEGORY_LABELS[c.category].zh),
        axisLabel: { ...axisLabel, color: INK, fontSize: 10 },
        axisTick: { show: false },
        axisLine: { lineStyle: { color: GRID_LINE } },
      },
      series: [
        {
          type: 'bar',
          barMaxWidth: 12,
          data: top.map((c) => c.count),
          label: { show: true, position: 'right', fontSize: 9, color: INK, fontFamily: REPORT_FONT_FAMILY },
        },
      ],
    },
    width,
    height,
  );
}
