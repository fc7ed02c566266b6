import type { EChartsOption } from 'echarts';
import { describe, expect, it } from 'vitest';
import { CATEGORY_LABELS, INCIDENT_CATEGORIES } from '@/lib/domain/enums';
import { WallStatsSchema, type WallStats } from '@/lib/wall/stats';
import { sampleWallStats } from '@/lib/wall/stats-fixture';
import {
  CHART_FONT_FAMILY,
  cameraRateOption,
  categoryOption,
  rankingOption,
  trendOption,
  vehicleOption,
} from './options';

type Series = { data: unknown[]; name?: string; label?: { fontSize?: number; fontFamily?: string } }[];
type Axis = {
  data?: string[];
  axisLabel?: { fontSize?: number; fontFamily?: string; interval?: number | string; width?: number };
};
const stats = WallStatsSchema.parse(sampleWallStats());
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const yAxes = (o: EChartsOption) => list(o.yAxis as Axis | Axis[]);
const xAxes = (o: EChartsOption) => list(o.xAxis as Axis | Axis[]);
/** Every category label across the columns, top to bottom then left to right (padding rows dropped). */
const rowLabels = (o: EChartsOption) => yAxes(o).flatMap((a) => (a.data ?? []).filter((l) => l !== ''));

/** Every text style an option sets, wherever it sets one. */
function textStyles(o: unknown, path = ''): { path: string; fontSize?: unknown; fontFamily?: unknown }[] {
  const out: { path: string; fontSize?: unknown; fontFamily?: unknown }[] = [];
  if (!o || typeof o !== 'object') return out;
  const rec = o as Record<string, unknown>;
  if ('fontSize' in rec || 'fontFamily' in rec)
    out.push({ path, fontSize: rec.fontSize, fontFamily: rec.fontFamily });
  for (const [k, v] of Object.entries(rec)) out.push(...textStyles(v, `${path}.${k}`));
  return out;
}

/** A busy day: every category has incidents, and a district with nine towns. */
function busy(): WallStats {
  const s = sampleWallStats();
  s.byCategory = INCIDENT_CATEGORIES.map((category, k) => ({ category, count: 100 - k * 7 }));
  s.ranking = Array.from({ length: 9 }, (_, k) => ({
    code: `5101900${String(k + 1).padStart(2, '0')}000`,
    name: `第${k + 1}街道`,
    open: 30 - k,
    overdue: k % 3,
    resolveRate: 0.9,
  }));
  s.cameras.byRegion = s.ranking.map((r, k) => ({ code: r.code, name: r.name, total: 100, online: 80 + k }));
  return WallStatsSchema.parse(s);
}

const allOptions = (s: WallStats, lang: 'zh' | 'en') => ({
  category: categoryOption(s, lang),
  trend24: trendOption(s, '24h', lang),
  trend7: trendOption(s, '7d', lang),
  camera: cameraRateOption(s, lang),
  ranking: rankingOption(s, lang),
  vehicle: vehicleOption(s, lang),
});

describe('panel option builders: legible text', () => {
  it('every chart names the CJK font, never "inherit" (a canvas falls back to 10px sans-serif)', () => {
    expect(CHART_FONT_FAMILY).toMatch(/^"Noto Sans CJK SC"/);
    for (const [name, o] of Object.entries(allOptions(busy(), 'zh'))) {
      expect((o.textStyle as { fontFamily: string }).fontFamily, name).toBe(CHART_FONT_FAMILY);
      for (const t of textStyles(o)) {
        expect(t.fontFamily, `${name}${t.path}`).toBe(CHART_FONT_FAMILY);
        expect(t.fontSize, `${name}${t.path}`).toBeGreaterThanOrEqual(16);
      }
    }
  });

  it('sets an explicit size on each axis label, legend, series label and title', () => {
    for (const [name, o] of Object.entries(allOptions(busy(), 'en'))) {
      for (const a of [...xAxes(o), ...yAxes(o)])
        expect(a.axisLabel?.fontSize, `${name} axis`).toBeGreaterThanOrEqual(16);
      for (const l of list(o.legend as { textStyle?: { fontSize?: number } }[]))
        expect(l.textStyle?.fontSize, `${name} legend`).toBeGreaterThanOrEqual(16);
      for (const s of o.series as Series)
        expect(s.label?.fontSize ?? 16, `${name} series label`).toBeGreaterThanOrEqual(16);
    }
    // The ring's centre is a KPI figure: ≥ 28 px.
    const titles = vehicleOption(stats).title as { text: string; textStyle: { fontSize: number } }[];
    expect(titles[0]!.textStyle.fontSize).toBeGreaterThanOrEqual(28);
  });
});

describe('the unit ring', () => {
  it('draws an empty ring, not five equal coloured slices, when there are no units', () => {
    const none = {
      ...stats,
      vehicles: { ...stats.vehicles, responding: 0, onScene: 0, patrol: 0, idle: 0, offline: 0, onDuty: 0 },
    };
    const pie = (
      vehicleOption(none).series as { stillShowZeroSum?: boolean; showEmptyCircle?: boolean }[]
    )[0]!;
    expect(pie.stillShowZeroSum).toBe(false);
    expect(pie.showEmptyCircle).toBe(true);
  });
});

describe('panel option builders: no label dropped', () => {
  it('categories: all 12 when all have incidents (信访 and 其他 too), in two columns, interval 0', () => {
    const o = categoryOption(busy());
    expect(rowLabels(o)).toEqual(INCIDENT_CATEGORIES.map((c) => CATEGORY_LABELS[c].zh));
    expect(rowLabels(o)).toContain('信访');
    expect(rowLabels(o)).toContain('其他');
    expect(yAxes(o)).toHaveLength(2);
    for (const a of yAxes(o)) expect(a.axisLabel?.interval).toBe(0);
    // Values follow their labels; padding rows are empty.
    const values = (o.series as Series).flatMap((s) =>
      (s.data as { value: number | null }[]).map((d) => d.value).filter((v) => v !== null),
    );
    expect(values).toEqual(busy().byCategory.map((c) => c.count));
  });

  it('categories in English: every label whole (no "…"), short enough for its column, full name in the tooltip', () => {
    const o = categoryOption(busy(), 'en');
    const labels = rowLabels(o);
    expect(labels).toHaveLength(12);
    for (const a of yAxes(o)) {
      const width = a.axisLabel?.width as number;
      for (const l of (a.data ?? []).filter((x) => x !== '')) {
        expect(l).not.toMatch(/…|\.\.\./);
        // Noto Sans Latin averages under 0.6 em a character: an upper bound on the drawn width at 16 px.
        expect(l.length * 0.6 * 16, l).toBeLessThanOrEqual(width);
      }
    }
    const full = (o.series as Series).flatMap((s) =>
      (s.data as { value: number | null; full: string }[]).filter((d) => d.value !== null).map((d) => d.full),
    );
    expect(full).toEqual(INCIDENT_CATEGORIES.map((c) => CATEGORY_LABELS[c].en));
  });

  it('categories: only those with incidents, most first; one column when few', () => {
    const o = categoryOption(stats);
    expect(rowLabels(o)).toEqual(['矛盾纠纷', '城市管理', '环境卫生']);
    expect(yAxes(o)).toHaveLength(1);
    expect(rowLabels(categoryOption(stats, 'en'))[0]).toBe('Dispute');
  });

  it('ranking: every town named, interval 0; open minus overdue plus overdue stack to the open count', () => {
    const o = rankingOption(busy());
    expect(rowLabels(o)).toEqual(busy().ranking.map((r) => r.name));
    for (const a of yAxes(o)) expect(a.axisLabel?.interval).toBe(0);
    const s = o.series as Series;
    // Nine towns: three columns of three × (open, overdue), so each row keeps ≥ 22 px in briefing mode.
    expect(s).toHaveLength(6);
    expect(yAxes(o)).toHaveLength(3);
    const open = s[0]!.data as { value: number; code: string }[];
    const overdue = s[1]!.data as { value: number }[];
    expect(open.map((d, k) => d.value + overdue[k]!.value)).toEqual([30, 29, 28]);
    expect(open[0]!.code).toBe('510190001000');
  });

  it('camera rate: every region labelled (interval 0), worst first, red under 80 %, region code on bars', () => {
    const o = cameraRateOption(stats);
    expect(xAxes(o)[0]!.axisLabel?.interval).toBe(0);
    const data = (o.series as Series)[0]!.data as {
      value: number;
      code: string;
      itemStyle: { color: string };
    }[];
    expect(data[0]).toMatchObject({ value: 78, code: '510190002000', itemStyle: { color: '#ff3b3b' } });
    expect(data[1]!.value).toBeCloseTo(98.6, 1);
    expect(xAxes(cameraRateOption(busy()))[0]!.data).toHaveLength(9);
  });
});

describe('panel option builders: time and language', () => {
  it('trend: 24 hourly or 7 daily points in the display zone, received and resolved', () => {
    const h = trendOption(stats, '24h');
    expect(xAxes(h)[0]!.data).toHaveLength(24);
    expect(xAxes(h)[0]!.data![23]).toBe('12时'); // 04:00 UTC in Asia/Shanghai
    expect(xAxes(trendOption(stats, '24h', 'zh', 'UTC'))[0]!.data![23]).toBe('04时');
    expect(xAxes(trendOption(stats, '24h', 'en', 'Europe/Berlin'))[0]!.data![23]).toBe('05:00');
    expect((h.series as Series).map((s) => s.name)).toEqual(['受理', '办结']);
    expect((trendOption(stats, '24h', 'en').series as Series).map((s) => s.name)).toEqual([
      'Received',
      'Resolved',
    ]);
    const d = trendOption(stats, '7d');
    expect((d.series as Series)[0]!.data).toHaveLength(7);
    expect(xAxes(d)[0]!.axisLabel?.interval).toBe(0);
    expect(xAxes(d)[0]!.data![6]).toBe('11/23');
  });

  it('vehicles: the ring adds up to all units, on-duty in the middle, counts in the legend, workers', () => {
    const o = vehicleOption(stats);
    const data = (o.series as Series)[0]!.data as { name: string; value: number }[];
    expect(data.reduce((n, d) => n + d.value, 0)).toBe(60);
    expect(data.map((d) => d.name)).toEqual(['出警', '到场', '巡逻', '空闲', '离线']);
    const titles = o.title as { text: string }[];
    expect(titles[0]!.text).toBe('52');
    expect(titles[1]!.text).toContain('410 / 620');
    const legends = o.legend as { formatter: (n: string) => string }[];
    expect(legends[0]!.formatter('出警')).toBe('出警 5');
    const en = vehicleOption(stats, 'en');
    expect(((en.series as Series)[0]!.data as { name: string }[]).map((d) => d.name)).toEqual([
      'En route',
      'On scene',
      'Patrol',
      'Idle',
      'Offline',
    ]);
    const workers = (en.title as { text: string; textStyle: { width?: number; overflow?: string } }[])[1]!;
    expect(workers.text).toBe('Grid workers  410 / 620');
    // Larger counts wrap inside the panel instead of running past its edge.
    expect(workers.textStyle.overflow).toBe('break');
    expect(workers.textStyle.width).toBeGreaterThan(200);
  });
});
