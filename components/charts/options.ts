/**
 * Pure ECharts option builders, one per panel: `(stats, lang, …) => EChartsOption`. No DOM, no clock: the
 * unit tests call them directly. Sizes are in design pixels of the 1920×1080 canvas; the wall scales the
 * whole stage (×1.2 more in briefing mode), so every size here grows with it.
 *
 * Every text element names the page's CJK font and its size explicitly: a canvas cannot resolve CSS
 * `inherit`, and ECharts then falls back to `10px sans-serif` (unreadable from 5 m). No category or region
 * label is ever dropped: category axes use `interval: 0`, and lists longer than a column fits are laid out
 * in side-by-side columns rather than thinned out.
 */
import type { EChartsOption } from 'echarts';
import { CATEGORY_LABELS, type IncidentCategory } from '@/lib/domain/enums';
import { clockParts, DEFAULT_DISPLAY_TZ } from '@/lib/time/display-time';
import { CHART_COLORS } from '@/lib/wall/palette';
import type { WallStats } from '@/lib/wall/stats';

export type Lang = 'zh' | 'en';

/** The page's font stack (app/globals.css), spelled out: a canvas context cannot inherit it. */
export const CHART_FONT_FAMILY =
  '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
/** Design-pixel sizes: axis, legend and label text legible at 5 m on a 1080p wall; figures larger. */
export const CHART_FONT = {
  axis: 16,
  legend: 16,
  label: 16,
  tooltip: 16,
  /** The ring's centre figure (a KPI). */
  figure: 36,
} as const;
/** Width of a chart inside a wall column, in design pixels (column 460 less the panel's padding). */
const CHART_W = 436;
/**
 * Rows per column before a bar list is split into side-by-side columns: what the panel holds at ≥ 22 px a
 * row in briefing mode (the shortest it gets). The ranking panel also carries a legend, so it holds fewer.
 */
const CATEGORY_ROWS_PER_COLUMN = 6;
const RANKING_ROWS_PER_COLUMN = 4;
const MAX_COLUMNS = 3;
/** Room for the 网格员在岗 line right of the ring (it starts at 46 % of the chart), less a margin. */
const WORKERS_LINE_W = Math.floor(CHART_W * 0.54) - 8;

const TEXT = '#cfe6ff';
const MUTED = '#9cc0e6';
const SPLIT = 'rgba(80,140,220,0.18)';

const font = (fontSize: number, color = TEXT) => ({ color, fontSize, fontFamily: CHART_FONT_FAMILY });

const tooltipBase = {
  backgroundColor: 'rgba(6,20,44,0.92)',
  borderColor: '#2a6fdb',
  textStyle: font(CHART_FONT.tooltip),
};

const base = (): EChartsOption => ({
  backgroundColor: 'transparent',
  textStyle: font(CHART_FONT.axis),
  color: CHART_COLORS,
  // Animate value changes in place; the layout never jumps (DESIGN: numbers animate without jumping).
  animationDurationUpdate: 600,
  tooltip: { trigger: 'axis', ...tooltipBase },
});

const T = {
  received: { zh: '受理', en: 'Received' },
  resolved: { zh: '办结', en: 'Resolved' },
  open: { zh: '在办', en: 'Open' },
  overdue: { zh: '超时', en: 'Overdue' },
  rate: { zh: '完好率', en: 'Online' },
  responding: { zh: '出警', en: 'En route' },
  onScene: { zh: '到场', en: 'On scene' },
  patrol: { zh: '巡逻', en: 'Patrol' },
  idle: { zh: '空闲', en: 'Idle' },
  offline: { zh: '离线', en: 'Offline' },
  onDuty: { zh: '在岗', en: 'On duty' },
  workers: { zh: '网格员在岗', en: 'Grid workers' },
  hour: { zh: '时', en: ':00' },
} as const;

/** Short English category names for the bar axis (the tooltip gives the full one); Chinese fits as is. */
const CATEGORY_SHORT_EN: Record<IncidentCategory, string> = {
  dispute: 'Dispute',
  public_security: 'Security',
  fire_safety: 'Fire',
  work_safety: 'Work safety',
  traffic: 'Traffic',
  environment: 'Environ.',
  city_management: 'City mgmt',
  special_population: 'Special pop.',
  petition: 'Petition',
  citizen_request: 'Requests',
  emergency: 'Emergency',
  other: 'Other',
};

interface BarRow {
  /** What the axis shows. */
  label: string;
  /** What the tooltip shows (the full name). */
  full: string;
  values: number[];
  code?: string;
}

/**
 * Horizontal bars, split into up to MAX_COLUMNS side-by-side columns of equal row count so that every row
 * keeps a full-size label however many there are (a 12-row list in one short panel would otherwise need
 * 9 px rows). Rows read top to bottom, then the next column. Each column pads to the same row count so
 * rows line up across columns.
 */
function columnBars(
  rows: BarRow[],
  series: { name?: string; color: string; stack?: boolean }[],
  opts: { top: number; rowsPerColumn: number; totalLabel?: (row: BarRow) => string },
): Pick<EChartsOption, 'grid' | 'xAxis' | 'yAxis' | 'series'> {
  const cols = Math.min(MAX_COLUMNS, Math.max(1, Math.ceil(rows.length / opts.rowsPerColumn)));
  const per = Math.max(1, Math.ceil(rows.length / cols));
  const colW = 100 / cols;
  // Head-room past the longest bar for its value label (labels outside the plot are not contained).
  const max = Math.ceil(Math.max(1, ...rows.map((r) => r.values.reduce((a, b) => a + b, 0))) * 1.35);
  // Room for a label: a column's width less the bar and its value label.
  const labelW = Math.floor(CHART_W / cols) - 56;
  const grid: object[] = [];
  const xAxis: object[] = [];
  const yAxis: object[] = [];
  const out: object[] = [];
  for (let c = 0; c < cols; c++) {
    const slice = rows.slice(c * per, (c + 1) * per);
    while (slice.length < per) slice.push({ label: '', full: '', values: series.map(() => 0) });
    grid.push({
      left: `${c * colW + 0.5}%`,
      // A gap between columns, so one column's value labels never touch the next one's names.
      width: `${colW - (c < cols - 1 ? 4 : 1)}%`,
      top: opts.top,
      bottom: 4,
      // Labels sit outside the plot: containLabel keeps them inside the panel.
      containLabel: true,
    });
    xAxis.push({
      type: 'value' as const,
      gridIndex: c,
      max,
      show: false,
      axisLabel: font(CHART_FONT.axis, MUTED),
      splitLine: { show: false },
    });
    yAxis.push({
      type: 'category' as const,
      gridIndex: c,
      inverse: true,
      data: slice.map((r) => r.label),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: SPLIT } },
      axisLabel: {
        ...font(CHART_FONT.axis),
        interval: 0,
        width: labelW,
        overflow: 'truncate' as const,
      },
    });
    series.forEach((s, k) => {
      const isLast = k === series.length - 1;
      out.push({
        type: 'bar' as const,
        name: s.name,
        xAxisIndex: c,
        yAxisIndex: c,
        stack: s.stack ? `col${c}` : undefined,
        barMaxWidth: 14,
        itemStyle: { color: s.color, borderRadius: isLast ? [0, 4, 4, 0] : 0 },
        data: slice.map((r) => ({
          value: r.label === '' ? null : r.values[k]!,
          code: r.code,
          full: r.full,
        })),
        label: isLast
          ? {
              show: true,
              position: 'right' as const,
              ...font(CHART_FONT.label),
              formatter: (p: { dataIndex: number }) => {
                const r = slice[p.dataIndex];
                if (!r || r.label === '') return '';
                return opts.totalLabel ? opts.totalLabel(r) : String(r.values.reduce((a, b) => a + b, 0));
              },
            }
          : { show: false, ...font(CHART_FONT.label) },
      });
    });
  }
  return { grid, xAxis, yAxis, series: out } as Pick<EChartsOption, 'grid' | 'xAxis' | 'yAxis' | 'series'>;
}

/** Tooltip for columnBars: the row's full name and each series' value. */
const barTooltip = (): EChartsOption['tooltip'] => ({
  trigger: 'item',
  ...tooltipBase,
  formatter: (p: unknown) => {
    const q = p as { data?: { full?: string; value?: number | null }; seriesName?: string };
    const name = q.data?.full ?? '';
    const series = q.seriesName && !q.seriesName.startsWith('series') ? `${q.seriesName} ` : '';
    return `${name}<br/>${series}${q.data?.value ?? 0}`;
  },
});

/**
 * Incidents by category in the period, most first: every category with incidents is shown (all 12 when
 * all have some), in two columns of six when there are more than six.
 */
export function categoryOption(stats: WallStats, lang: Lang = 'zh'): EChartsOption {
  const rows: BarRow[] = stats.byCategory.map((r) => ({
    label: lang === 'zh' ? CATEGORY_LABELS[r.category].zh : CATEGORY_SHORT_EN[r.category],
    full: CATEGORY_LABELS[r.category][lang],
    values: [r.count],
  }));
  return {
    ...base(),
    tooltip: barTooltip(),
    ...columnBars(rows, [{ color: '#3fc8ff' }], { top: 4, rowsPerColumn: CATEGORY_ROWS_PER_COLUMN }),
  };
}

/** "08时" / "08:00" in the display zone (the centre's clock, whatever the browser's zone). */
export function hourLabel(t: number, lang: Lang = 'zh', tz: string = DEFAULT_DISPLAY_TZ): string {
  return `${String(clockParts(t, tz).hour).padStart(2, '0')}${T.hour[lang]}`;
}

/** "11/27" in the display zone. */
export function dayLabel(t: number, tz: string = DEFAULT_DISPLAY_TZ): string {
  const c = clockParts(t, tz);
  return `${c.month}/${c.day}`;
}

/**
 * Received vs resolved over the last 24 h (hourly) or 7 days (daily). 24 hour labels cannot all fit a
 * column at a legible size: the hourly axis labels every third hour, a fixed interval (ECharts' automatic
 * one would change with the panel's size and drop different labels in briefing mode).
 */
export function trendOption(
  stats: WallStats,
  range: '24h' | '7d',
  lang: Lang = 'zh',
  tz: string = DEFAULT_DISPLAY_TZ,
): EChartsOption {
  const rows = range === '24h' ? stats.trend24h : stats.trend7d;
  const label = (t: number) => (range === '24h' ? hourLabel(t, lang, tz) : dayLabel(t, tz));
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
      textStyle: font(CHART_FONT.legend),
      itemWidth: 18,
      itemHeight: 10,
    },
    grid: { left: 8, right: 20, top: 30, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      boundaryGap: false,
      data: rows.map((r) => label(r.start)),
      // The newest hour is always labelled (k = 23 with interval 2 → every third, ending at the last).
      axisLabel: { ...font(CHART_FONT.axis, MUTED), interval: range === '24h' ? 2 : 0 },
      axisLine: { lineStyle: { color: SPLIT } },
    },
    yAxis: {
      type: 'value',
      minInterval: 1,
      // Two bands (e.g. 0/10/20): in briefing mode the plot is ~60 px tall, and five 19 px labels overlapped
      // (ECharts rounds 3 up to the same five ticks).
      splitNumber: 2,
      splitLine: { lineStyle: { color: SPLIT } },
      axisLabel: font(CHART_FONT.axis, MUTED),
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

/**
 * Camera 完好率 by child region, worst first; each bar carries its region code for drill-down. Every
 * region is labelled: names wrap onto a second line when the bars get narrow.
 */
export function cameraRateOption(stats: WallStats, lang: Lang = 'zh'): EChartsOption {
  const rows = stats.cameras.byRegion;
  const rate = (r: { total: number; online: number }) =>
    r.total > 0 ? Math.round((r.online / r.total) * 1000) / 10 : 0;
  // The value axis's "100%" takes ~40 px; the rest is shared by the bars' name slots.
  const slot = Math.floor((CHART_W - 40) / Math.max(1, rows.length));
  return {
    ...base(),
    tooltip: {
      trigger: 'axis',
      ...tooltipBase,
      valueFormatter: (v) => `${String(v)}%`,
    },
    grid: { left: 4, right: 4, top: 26, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      data: rows.map((r) => r.name),
      axisLabel: {
        ...font(CHART_FONT.axis),
        interval: 0,
        width: Math.max(CHART_FONT.axis + 2, slot),
        // Region names are Chinese in either language: break between characters.
        overflow: 'breakAll',
        lineHeight: CHART_FONT.axis + 2,
      },
      axisTick: { show: false },
      axisLine: { lineStyle: { color: SPLIT } },
    },
    // 0 / 50 / 100 only: five labels collide when briefing mode makes the panel short. The panel's title
    // says it is a rate, so the axis needs no name.
    yAxis: {
      type: 'value',
      min: 0,
      max: 100,
      interval: 50,
      splitLine: { lineStyle: { color: SPLIT } },
      axisLabel: { ...font(CHART_FONT.axis, MUTED), formatter: '{value}%' },
    },
    series: [
      {
        type: 'bar',
        name: T.rate[lang],
        barMaxWidth: 22,
        data: rows.map((r) => ({
          value: rate(r),
          code: r.code,
          // Below 90 % a camera network is failing its 雪亮 targets: amber; below 80 % red.
          itemStyle: { color: rate(r) < 80 ? '#ff3b3b' : rate(r) < 90 ? '#ffd23f' : '#2ed573' },
        })),
        // Values over narrow bars would collide: shown while there is room, else in the tooltip.
        label: {
          show: slot >= 44,
          position: 'top',
          ...font(CHART_FONT.label),
          formatter: '{c}',
        },
      },
    ],
  };
}

/**
 * Child regions by open incidents (overdue in red), most first; bars carry their code for drill-down.
 * Every region is shown: more than six go into side-by-side columns.
 */
export function rankingOption(stats: WallStats, lang: Lang = 'zh'): EChartsOption {
  const rows: BarRow[] = stats.ranking.map((r) => ({
    label: r.name,
    full: r.name,
    values: [r.open - r.overdue, r.overdue],
    code: r.code,
  }));
  return {
    ...base(),
    tooltip: barTooltip(),
    legend: {
      top: 0,
      right: 8,
      textStyle: font(CHART_FONT.legend),
      itemWidth: 16,
      itemHeight: 10,
      data: [T.open[lang], T.overdue[lang]],
    },
    ...columnBars(
      rows,
      [
        { name: T.open[lang], color: '#3fc8ff', stack: true },
        { name: T.overdue[lang], color: '#ff3b3b', stack: true },
      ],
      { top: 28, rowsPerColumn: RANKING_ROWS_PER_COLUMN },
    ),
  };
}

/**
 * Patrol units by what they do now (出警 en route, 到场 on scene, 巡逻, 空闲, 离线) as a ring with the
 * on-duty count inside; each legend entry carries its count, and the grid workers on duty (在岗/总数) sit
 * under the legend.
 */
export function vehicleOption(stats: WallStats, lang: Lang = 'zh'): EChartsOption {
  const v = stats.vehicles;
  const w = stats.workers;
  const items = [
    { name: T.responding[lang], value: v.responding, itemStyle: { color: '#ff4d4f' } },
    { name: T.onScene[lang], value: v.onScene, itemStyle: { color: '#ffb020' } },
    { name: T.patrol[lang], value: v.patrol, itemStyle: { color: '#40c8ff' } },
    { name: T.idle[lang], value: v.idle, itemStyle: { color: '#78e6c8' } },
    { name: T.offline[lang], value: v.offline, itemStyle: { color: '#5d6b84' } },
  ];
  const count = new Map<string, number>(items.map((i) => [i.name, i.value]));
  const legend = (names: string[], left: string) => ({
    orient: 'vertical' as const,
    left,
    top: 4,
    data: names,
    itemGap: 8,
    itemWidth: 14,
    itemHeight: 14,
    textStyle: font(CHART_FONT.legend),
    formatter: (name: string) => `${name} ${count.get(name) ?? 0}`,
  });
  return {
    ...base(),
    tooltip: { trigger: 'item', ...tooltipBase },
    legend: [
      legend(
        items.slice(0, 3).map((i) => i.name),
        '46%',
      ),
      legend(
        items.slice(3).map((i) => i.name),
        '74%',
      ),
    ],
    series: [
      {
        type: 'pie',
        radius: ['62%', '90%'],
        center: ['22%', '50%'],
        avoidLabelOverlap: true,
        // With no units at all ECharts would draw five equal coloured slices: a picture of units that do
        // not exist. An empty grey ring says "none" instead.
        stillShowZeroSum: false,
        showEmptyCircle: true,
        emptyCircleStyle: { color: '#26344d' },
        label: { show: false, ...font(CHART_FONT.label) },
        data: items,
      },
    ],
    title: [
      {
        text: String(v.onDuty),
        subtext: T.onDuty[lang],
        left: '22%',
        top: 'middle',
        textAlign: 'center',
        textVerticalAlign: 'middle',
        itemGap: 2,
        textStyle: { ...font(CHART_FONT.figure, '#ffffff'), fontWeight: 'bold' },
        subtextStyle: font(CHART_FONT.label, MUTED),
      },
      {
        text: `${T.workers[lang]}  ${w.onDuty} / ${w.total}`,
        left: '46%',
        bottom: 4,
        textStyle: {
          ...font(CHART_FONT.label + 2, '#78e6c8'),
          fontWeight: 'bold',
          // Wrap rather than run past the panel's edge when the counts grow (English is the longer line).
          width: WORKERS_LINE_W,
          overflow: 'break',
        },
      },
    ],
  };
}
