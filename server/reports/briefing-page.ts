/**
 * One A4 landscape briefing page as a single SVG (842 × 595 pt): masthead, KPI cards with 同比/环比, trend
 * and category charts (ECharts SSR), the 超时督办 list, the top grids and the incident map. The PDF draws
 * this SVG into a page and the PNG rasterises it, so both show exactly the same thing.
 */
import { CATEGORY_LABELS } from '@/lib/domain/enums';
import { REPORT_PERIOD_LABELS, reportPeriodTitle } from '@/lib/reports/report-period';
import { maskFreeText } from '@/lib/wall/format';
import { formatDateTime } from '@/lib/time/display-time';
import type { BriefingData } from './briefing-data';
import { categoryChartSvg, esc, REPORT_FONT_FAMILY, trendChartSvg } from './briefing-charts';
import { incidentMapSvg } from './briefing-map';

export const PAGE_W = 842;
export const PAGE_H = 595;
const M = 28; // page margin, pt
const RED = '#b91c1c';
const INK = '#1f2937';
const MUTED = '#6b7280';
const LINE = '#d1d5db';
const UP = '#b91c1c';
const DOWN = '#15803d';
/** Rows of the 超时督办 table that fit its box. */
const LIST_ROWS = 9;

function text(
  x: number,
  y: number,
  s: string,
  o: { size?: number; fill?: string; bold?: boolean; anchor?: 'start' | 'middle' | 'end' } = {},
): string {
  return `<text x="${x}" y="${y}" font-family="${REPORT_FONT_FAMILY}" font-size="${o.size ?? 10}" fill="${o.fill ?? INK}"${
    o.bold ? ' font-weight="bold"' : ''
  } text-anchor="${o.anchor ?? 'start'}">${esc(s)}</text>`;
}

/** Places an ECharts SVG string at (x, y) as a nested <svg>. */
function place(svg: string, x: number, y: number): string {
  return svg.replace(/^<svg /, `<svg x="${x}" y="${y}" `);
}

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);

/** 环比/同比 as a signed percentage change; "—" where there is no history (or nothing to compare with). */
function change(cur: number, prev: number | null): { text: string; fill: string } {
  if (prev === null || prev === 0) return { text: '—', fill: MUTED };
  const d = (cur - prev) / prev;
  if (d === 0) return { text: '持平', fill: MUTED };
  return { text: `${d > 0 ? '↑' : '↓'}${Math.abs(d * 100).toFixed(1)}%`, fill: d > 0 ? UP : DOWN };
}

interface Card {
  label: string;
  value: string;
  unit?: string;
  lines: { text: string; fill?: string }[];
  accent?: string;
}

function kpiCards(d: BriefingData): Card[] {
  const k = d.stats.kpi;
  const c = d.stats.compare;
  const cmp = (cur: number, x: { mom: number | null; yoy: number | null }) => {
    const mom = change(cur, x.mom);
    const yoy = change(cur, x.yoy);
    return [
      { text: `环比 ${mom.text}`, fill: mom.fill },
      { text: `同比 ${yoy.text}`, fill: yoy.fill },
    ];
  };
  const b = d.board.kpi;
  return [
    { label: '受理', value: String(k.received), unit: '件', lines: cmp(k.received, c.received) },
    { label: '办结', value: String(k.resolved), unit: '件', lines: cmp(k.resolved, c.resolved) },
    {
      label: '办结率',
      value: pct(k.resolveRate),
      lines: [{ text: `办结 ${k.resolved} / 受理 ${k.received}` }],
    },
    {
      label: '按时办结率',
      value: pct(k.onTimeRate),
      lines: [{ text: `按时 ${k.resolvedOnTime} / 办结 ${k.resolved}` }],
    },
    { label: '满意度', value: pct(k.satisfactionRate), lines: [{ text: `回访 ${k.rated} 件` }] },
    {
      label: '超时',
      value: String(b.overdue),
      unit: '件',
      lines: [{ text: `在办 ${b.open} 件` }, { text: '截至生成时' }],
      accent: b.overdue > 0 ? RED : undefined,
    },
    {
      label: '督办',
      value: String(b.supervised),
      unit: '件',
      lines: [{ text: `预警 ${b.warning} 件` }, { text: '截至生成时' }],
      accent: b.supervised > 0 ? '#b45309' : undefined,
    },
    {
      label: '平安指数',
      value: k.safetyIndex === null ? '—' : k.safetyIndex.toFixed(1),
      lines: [{ text: `闭环率 ${pct(k.closedLoopRate)}` }, { text: `主动发现 ${pct(k.proactiveRate)}` }],
    },
  ];
}

function section(x: number, y: number, title: string, note?: string): string {
  return (
    `<rect x="${x}" y="${y - 9}" width="3" height="11" fill="${RED}"/>` +
    text(x + 7, y, title, { size: 11, bold: true }) +
    (note ? text(x + 7 + title.length * 11 + 6, y, note, { size: 8, fill: MUTED }) : '')
  );
}

export interface PageOptions {
  tz: string;
  /** The centre's name before 综治中心 (default: the scope's region name). */
  centreName?: string;
}

export function briefingPageSvg(d: BriefingData, o: PageOptions): string {
  const out: string[] = [];
  const label = REPORT_PERIOD_LABELS[d.period].zh;
  const title = `${o.centreName ?? d.stats.region.name}综治中心 ${label} ${reportPeriodTitle(d.period, d.date)}`;
  out.push(`<rect width="${PAGE_W}" height="${PAGE_H}" fill="#ffffff"/>`);
  // Masthead: red title over a double red rule, the way printed 简报 look.
  out.push(text(PAGE_W / 2, 44, title, { size: 22, bold: true, fill: RED, anchor: 'middle' }));
  const isRunning = d.asOf < d.window[1] - 1;
  const range = `统计区间：${formatDateTime(d.window[0], o.tz, false)} 至 ${
    isRunning ? formatDateTime(d.asOf, o.tz, false) + '（进行中）' : formatDateTime(d.window[1], o.tz, false)
  }`;
  out.push(text(M, 66, range, { size: 9, fill: MUTED }));
  out.push(
    text(PAGE_W - M, 66, `生成时间：${formatDateTime(d.generatedAt, o.tz, false)}  平安大屏`, {
      size: 9,
      fill: MUTED,
      anchor: 'end',
    }),
  );
  out.push(`<rect x="${M}" y="72" width="${PAGE_W - 2 * M}" height="2" fill="${RED}"/>`);
  out.push(`<rect x="${M}" y="76" width="${PAGE_W - 2 * M}" height="0.6" fill="${RED}"/>`);

  // KPI cards.
  const cards = kpiCards(d);
  const gap = 8;
  const cw = (PAGE_W - 2 * M - gap * (cards.length - 1)) / cards.length;
  cards.forEach((c, k) => {
    const x = M + k * (cw + gap);
    const y = 86;
    out.push(
      `<rect x="${x}" y="${y}" width="${cw}" height="70" rx="3" fill="#f8fafc" stroke="${LINE}" stroke-width="0.6"/>`,
    );
    out.push(text(x + 8, y + 15, c.label, { size: 9.5, fill: MUTED }));
    out.push(text(x + 8, y + 40, c.value, { size: 20, bold: true, fill: c.accent ?? INK }));
    if (c.unit) out.push(text(x + 10 + c.value.length * 11.5, y + 40, c.unit, { size: 9, fill: MUTED }));
    c.lines.forEach((l, i) =>
      out.push(text(x + 8, y + 53 + i * 10, l.text, { size: 8, fill: l.fill ?? MUTED })),
    );
  });

  // Row A: trend and categories; right column: the map.
  const top = 178;
  const leftW = 300;
  const midX = M + leftW + 14;
  const midW = 206;
  const mapX = midX + midW + 14;
  const mapW = PAGE_W - M - mapX;
  out.push(section(M, top, d.period === 'day' ? '分时受理与办结' : '逐日受理与办结'));
  out.push(place(trendChartSvg(d, leftW, 170), M, top + 6));
  out.push(section(midX, top, '事件类别', `共 ${d.stats.kpi.received} 件`));
  if (d.stats.byCategory.length) out.push(place(categoryChartSvg(d, midW, 170), midX, top + 6));
  else out.push(text(midX + midW / 2, top + 90, '本期无事件', { size: 10, fill: MUTED, anchor: 'middle' }));
  out.push(
    section(
      mapX,
      top,
      '事件分布',
      d.pointsTotal > d.points.length ? `显示 ${d.points.length} / ${d.pointsTotal}` : `${d.pointsTotal} 件`,
    ),
  );
  out.push(incidentMapSvg(d, mapX, top + 8, mapW, PAGE_H - M - 14 - (top + 8)));

  // Row B: the 超时督办 list and the top grids.
  const rowB = 372;
  out.push(section(M, rowB, '超时与督办事项', `截至生成时 共 ${d.board.overdueListTotal} 件`));
  out.push(overdueTable(d, M, rowB + 8, leftW));
  out.push(section(midX, rowB, '事件最多的网格'));
  out.push(topGridsTable(d, midX, rowB + 8, midW));

  out.push(
    text(
      M,
      PAGE_H - 12,
      '注：受理、办结、办结率、按时办结率、满意度为统计区间内受理事件的口径，与大屏“数据统计”一致；超时、督办为生成时的在办状态。',
      {
        size: 7.5,
        fill: MUTED,
      },
    ),
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${PAGE_W}" height="${PAGE_H}" viewBox="0 0 ${PAGE_W} ${PAGE_H}">${out.join('')}</svg>`;
}

const ROW_H = 17;

function tableHead(x: number, y: number, w: number, cols: { x: number; label: string; anchor?: 'end' }[]) {
  return (
    `<rect x="${x}" y="${y}" width="${w}" height="${ROW_H}" fill="#f1f5f9"/>` +
    cols
      .map((c) => text(x + c.x, y + 12, c.label, { size: 8.5, fill: MUTED, bold: true, anchor: c.anchor }))
      .join('')
  );
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function overdueTable(d: BriefingData, x: number, y: number, w: number): string {
  const list = d.board.overdueList.slice(0, LIST_ROWS);
  const parts = [
    tableHead(x, y, w, [
      { x: 6, label: '事项' },
      { x: 150, label: '类别' },
      { x: 196, label: '区域' },
      { x: w - 6, label: '状态', anchor: 'end' },
    ]),
  ];
  if (list.length === 0)
    parts.push(
      text(x + w / 2, y + ROW_H + 22, '无超时、督办事项', { size: 10, fill: MUTED, anchor: 'middle' }),
    );
  list.forEach((it, k) => {
    const ry = y + ROW_H * (k + 1);
    if (k % 2 === 1) parts.push(`<rect x="${x}" y="${ry}" width="${w}" height="${ROW_H}" fill="#fafafa"/>`);
    const level = it.supervision > 1 ? `${it.supervision}级` : '';
    const state = it.lamp === 'red' ? (it.supervision > 0 ? `超时·督办${level}` : '超时') : `督办${level}`;
    parts.push(text(x + 6, ry + 12, clip(maskFreeText(it.title), 12), { size: 8.5 }));
    parts.push(text(x + 150, ry + 12, CATEGORY_LABELS[it.category].zh, { size: 8.5, fill: MUTED }));
    parts.push(text(x + 196, ry + 12, clip(it.regionName ?? '—', 4), { size: 8.5, fill: MUTED }));
    parts.push(
      text(x + w - 6, ry + 12, state, {
        size: 8.5,
        fill: it.lamp === 'red' ? RED : '#b45309',
        anchor: 'end',
      }),
    );
    parts.push(`<rect x="${x}" y="${ry + ROW_H - 0.4}" width="${w}" height="0.4" fill="${LINE}"/>`);
  });
  if (d.board.overdueListTotal > list.length)
    parts.push(
      text(
        x + w,
        y + ROW_H * (LIST_ROWS + 1) + 10,
        `另有 ${d.board.overdueListTotal - list.length} 件未列出`,
        {
          size: 7.5,
          fill: MUTED,
          anchor: 'end',
        },
      ),
    );
  return parts.join('');
}

function topGridsTable(d: BriefingData, x: number, y: number, w: number): string {
  const parts = [
    tableHead(x, y, w, [
      { x: 6, label: '排名' },
      { x: 32, label: '网格' },
      { x: w - 6, label: '事件', anchor: 'end' },
    ]),
  ];
  if (d.topGrids.length === 0)
    parts.push(text(x + w / 2, y + ROW_H + 22, '本期无事件', { size: 10, fill: MUTED, anchor: 'middle' }));
  const most = d.topGrids[0]?.count ?? 1;
  d.topGrids.forEach((g, k) => {
    const ry = y + ROW_H * (k + 1);
    // Grid names usually repeat their community's ("安坪社区第一网格"): the community only when they do not.
    const name = g.community && !g.name.startsWith(g.community) ? `${g.community}·${g.name}` : g.name;
    parts.push(text(x + 10, ry + 12, String(k + 1), { size: 8.5, bold: k < 3, fill: k < 3 ? RED : MUTED }));
    parts.push(text(x + 32, ry + 12, clip(name, 11), { size: 8.5 }));
    // A bar behind the count: the ranking reads at a glance.
    const bw = 40 * (g.count / most);
    parts.push(`<rect x="${x + w - 34 - bw}" y="${ry + 5}" width="${bw}" height="7" fill="#bfdbfe"/>`);
    parts.push(text(x + w - 6, ry + 12, String(g.count), { size: 8.5, bold: true, anchor: 'end' }));
    parts.push(`<rect x="${x}" y="${ry + ROW_H - 0.4}" width="${w}" height="0.4" fill="${LINE}"/>`);
  });
  return parts.join('');
}
