/**
 * Pure ECharts option builders, one per panel: `(stats) => EChartsOption`. No DOM, no clock: the unit tests
 * call them directly. Sizes are in design pixels of the 1920×1080 canvas (the wall scales the whole stage).
 */
import type { EChartsOption } from 'echarts';
import { CATEGORY_LABELS } from '@/lib/domain/enums';
import { CHART_COLORS } from '@/lib/wall/palette';
import type { WallStats } from '@/lib/wall/stats';

export type Lang = 'zh' | 'en';
/** Axis text legible at 5 m on a 1080p wall. */
const AXIS_FONT = 15;
const TEXT = '#cfe6ff';
const MUTED = '#7f9cc0';
const SPLIT = 'rgba(80,140,220,0.18)';

const base = (): EChartsOption => ({
  backgroundColor: 'transparent',
  textStyle: { color: TEXT, fontSize: AXIS_FONT, fontFamily: 'inherit' },
  color: CHART_COLORS,
  // Animate value changes in place; the layout never jumps (DESIGN: numbers animate without jumping).
  animationDurationUpdate: 600,
  tooltip: {
    trigger: 'axis',
    backgroundColor: 'rgba(6,20,44,0.92)',
    borderColor: '#2a6fdb',
    textStyle: { color: TEXT },
  },
});

const T = {
  received: { zh: '受理', en: 'Received' },
  resolved: { zh: '办结', en: 'Resolved' },
  open: { zh: '在办', en: 'Open' },
  overdue: { zh: '超时', en: 'Overdue' },
  rate: { zh: '完好率', en: 'Online rate' },
  responding: { zh: '出警', en: 'Responding' },
  patrol: { zh: '巡逻', en: 'Patrol' },
  idle: { zh: '空闲', en: 'Idle' },
  offline: { zh: '离线', en: 'Offline' },
} as const;

/** Incidents by category in the period, most first (horizontal bars read best with Chinese labels). */
export function categoryOption(stats: WallStats, lang: Lang = 'zh'): EChartsOption {
  const rows = stats.byCategory.slice(0, 8).reverse();
  return {
    ...base(),
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', splitLine: { lineStyle: { color: SPLIT } }, axisLabel: { color: MUTED } },
    yAxis: {
      type: 'category',
      data: rows.map((r) => CATEGORY_LABELS[r.category][lang]),
      axisLabel: { color: TEXT, fontSize: AXIS_FONT },
      axisLine: { lineStyle: { color: SPLIT } },
    },
    series: [
      {
        type: 'bar',
        data: rows.map((r) => r.count),
        barMaxWidth: 16,
        label: { show: true, position: 'right', color: TEXT, fontSize: AXIS_FONT },
        itemStyle: { color: '#3fc8ff', borderRadius: [0, 4, 4, 0] },
      },
    ],
  };
}

function hourLabel(t: number): string {
  // China Standard Time, whatever the browser's zone (a wall's clock is the centre's clock).
  return `${String(new Date(t + 8 * 3_600_000).getUTCHours()).padStart(2, '0')}时`;
}

function dayLabel(t: number): string {
  const d = new Date(t + 8 * 3_600_000);
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
}

/** Received vs resolved over the last 24 h (hourly) or 7 days (daily). */
export function trendOption(stats: WallStats, range: '24h' | '7d', lang: Lang = 'zh'): EChartsOption {
  const rows = range === '24h' ? stats.trend24h : stats.trend7d;
  const label = range === '24h' ? hourLabel : dayLabel;
  const line = (name: string, data: number[], color: string) => ({
    name,
    type: 'line' as const,
    data,
    smooth: true,
    symbol: 'none',
    lineStyle: { width: 3, color },
    areaStyle: { color: `${color}33` },
  });
  return {
    ...base(),
    legend: {
      top: 0,
      right: 8,
      textStyle: { color: TEXT, fontSize: AXIS_FONT },
      itemWidth: 16,
      itemHeight: 8,
    },
    grid: { left: 8, right: 16, top: 32, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      boundaryGap: false,
      data: rows.map((r) => label(r.start)),
      axisLabel: { color: MUTED, fontSize: 13, interval: range === '24h' ? 3 : 0 },
      axisLine: { lineStyle: { color: SPLIT } },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      splitLine: { lineStyle: { color: SPLIT } },
      axisLabel: { color: MUTED },
    },
    series: [
      line(
        T.received[lang],
        rows.map((r) => r.received),
        '#3fc8ff',
      ),
      line(
        T.resolved[lang],
        rows.map((r) => r.resolved),
        '#2ed573',
      ),
    ],
  };
}

/** Camera 完好率 by child region, worst first; each bar carries its region code for drill-down. */
export function cameraRateOption(stats: WallStats, lang: Lang = 'zh'): EChartsOption {
  const rows = stats.cameras.byRegion.slice(0, 8);
  const rate = (r: { total: number; online: number }) =>
    r.total > 0 ? Math.round((r.online / r.total) * 1000) / 10 : 0;
  return {
    ...base(),
    tooltip: { trigger: 'axis', valueFormatter: (v) => `${String(v)}%` },
    grid: { left: 8, right: 16, top: 12, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      data: rows.map((r) => r.name),
      axisLabel: { color: TEXT, fontSize: 13, interval: 0, rotate: rows.length > 5 ? 30 : 0 },
      axisLine: { lineStyle: { color: SPLIT } },
    },
    yAxis: {
      type: 'value',
      max: 100,
      name: T.rate[lang],
      nameTextStyle: { color: MUTED },
      splitLine: { lineStyle: { color: SPLIT } },
      axisLabel: { color: MUTED, formatter: '{value}%' },
    },
    series: [
      {
        type: 'bar',
        barMaxWidth: 22,
        data: rows.map((r) => ({
          value: rate(r),
          code: r.code,
          // Below 90 % a camera network is failing its 雪亮 targets: amber; below 80 % red.
          itemStyle: { color: rate(r) < 80 ? '#ff3b3b' : rate(r) < 90 ? '#ffd23f' : '#2ed573' },
        })),
        label: { show: true, position: 'top', color: TEXT, fontSize: 13, formatter: '{c}' },
      },
    ],
  };
}

/** Child regions by open incidents (overdue in red), most first; bars carry their code for drill-down. */
export function rankingOption(stats: WallStats, lang: Lang = 'zh'): EChartsOption {
  const rows = stats.ranking.slice(0, 8).reverse();
  return {
    ...base(),
    legend: { top: 0, right: 8, textStyle: { color: TEXT, fontSize: 13 }, itemWidth: 14, itemHeight: 8 },
    grid: { left: 8, right: 32, top: 26, bottom: 4, containLabel: true },
    xAxis: {
      type: 'value',
      minInterval: 1,
      splitLine: { lineStyle: { color: SPLIT } },
      axisLabel: { color: MUTED },
    },
    yAxis: {
      type: 'category',
      data: rows.map((r) => r.name),
      axisLabel: { color: TEXT, fontSize: AXIS_FONT },
      axisLine: { lineStyle: { color: SPLIT } },
    },
    series: [
      {
        name: T.open[lang],
        type: 'bar',
        stack: 'n',
        barMaxWidth: 16,
        data: rows.map((r) => ({ value: r.open - r.overdue, code: r.code })),
        itemStyle: { color: '#3fc8ff' },
      },
      {
        name: T.overdue[lang],
        type: 'bar',
        stack: 'n',
        barMaxWidth: 16,
        data: rows.map((r) => ({ value: r.overdue, code: r.code })),
        itemStyle: { color: '#ff3b3b', borderRadius: [0, 4, 4, 0] },
        label: {
          show: true,
          position: 'right',
          color: TEXT,
          fontSize: 13,
          formatter: (p) => String(rows[p.dataIndex]?.open ?? ''),
        },
      },
    ],
  };
}

/** Patrol units: responding / patrolling / idle / offline, as a ring with the on-duty count inside. */
export function vehicleOption(stats: WallStats, lang: Lang = 'zh'): EChartsOption {
  const v = stats.vehicles;
  const patrol = Math.max(0, v.onDuty - v.responding - v.idle);
  return {
    ...base(),
    tooltip: { trigger: 'item' },
    legend: {
      orient: 'vertical',
      right: 4,
      top: 'middle',
      textStyle: { color: TEXT, fontSize: AXIS_FONT },
      itemWidth: 12,
      itemHeight: 12,
    },
    series: [
      {
        type: 'pie',
        radius: ['58%', '82%'],
        center: ['34%', '50%'],
        avoidLabelOverlap: true,
        label: { show: false },
        data: [
          { name: T.responding[lang], value: v.responding, itemStyle: { color: '#ff4d4f' } },
          { name: T.patrol[lang], value: patrol, itemStyle: { color: '#40c8ff' } },
          { name: T.idle[lang], value: v.idle, itemStyle: { color: '#78e6c8' } },
          { name: T.offline[lang], value: v.offline, itemStyle: { color: '#5d6b84' } },
        ],
      },
    ],
    title: {
      text: String(v.onDuty),
      subtext: lang === 'zh' ? '在岗' : 'On duty',
      left: '34%',
      top: '36%',
      textAlign: 'center',
      textStyle: { color: '#ffffff', fontSize: 30, fontWeight: 'bold' },
      subtextStyle: { color: MUTED, fontSize: 14 },
    },
  };
}
