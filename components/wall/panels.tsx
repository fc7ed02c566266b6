'use client';

import { useEffect, useRef, useState, type ReactNode } from 'react';
import { CATEGORY_LABELS, PRIORITY_LABELS, STATE_LABELS, type IncidentCategory } from '@/lib/domain/enums';
import type { IncidentView } from '@/lib/domain/incident';
import { timeLimitStatus } from '@/lib/domain/time-limits';
import { formatDuration, maskFreeText, wallTime } from '@/lib/wall/format';
import { t, type Lang } from '@/lib/wall/i18n';
import { shownRate, thinSampleHint, type PeriodRateKey } from '@/lib/wall/kpi-rates';
import { clampPage, nextPage, pageCount, pageIndicator, pageItems, rowLayout } from '@/lib/wall/list-pages';
import { LAMP_COLOR } from '@/lib/wall/palette';
import type { CompareCounts, WallStats } from '@/lib/wall/stats';
import { isOpenWork, isOverdue, isWarning, openFeed } from '@/lib/wall/work-lists';
import { useDisplayTz } from '../time/use-display-tz';
import { AnimatedNumber } from './AnimatedNumber';
import styles from './panels.module.css';

/** The live feed shows this many newest open incidents (bounded: the wall runs for days). */
export const FEED_MAX = 40;
/**
 * A list row's height in design pixels: rows are at least LIST_ROW_MIN_PX (18 px text with room to breathe)
 * and grow up to LIST_ROW_MAX_PX to share the body's height, so no band is left under the last row.
 */
export const LIST_ROW_MIN_PX = 28;
export const LIST_ROW_MAX_PX = 40;
/** How long a list page stays before the next one (long enough to read every row from the back). */
export const LIST_PAGE_MS = 8_000;
/** How long a pointer resting on a list (not moving) keeps it from paging. */
export const LIST_HOLD_MS = 20_000;
/** How long a KPI page stays before the other one. */
export const KPI_PAGE_MS = 12_000;
/** 督办 levels as the 超时督办 list marks them (index = supervision level; 0 = not supervised). */
export const SUPERVISION_LABEL: Record<Lang, readonly string[]> = {
  zh: ['', '督办', '黄牌', '红牌'],
  en: ['', 'Supervised', 'Yellow card', 'Red card'],
};

/** Words only these panels use (the shared ones are in lib/wall/i18n.ts). */
const W = {
  safetyIndex: { zh: '平安指数', en: 'Safety index' },
  closedLoop: { zh: '闭环率', en: 'Closed loop' },
  satisfaction: { zh: '满意度', en: 'Satisfaction' },
  disputeRate: { zh: '纠纷化解率', en: 'Mediated' },
  proactive: { zh: '主动发现率', en: 'Found by us' },
  workersOnline: { zh: '网格员在线率', en: 'Grid online' },
  mom: { zh: '受理环比', en: 'vs last period' },
  yoy: { zh: '受理同比', en: 'vs last year' },
  warning: { zh: '预警', en: 'Warning' },
  overdueTag: { zh: '超时', en: 'Overdue' },
  receivedPeriod: { zh: '受理', en: 'Received' },
  worstShown: { zh: '显示最紧急', en: 'most urgent' },
  openWork: { zh: '在办', en: 'open' },
  none: { zh: '暂无', en: 'None' },
} as const;
const w = (k: keyof typeof W, lang: Lang) => W[k][lang];

/** "+12.5%" / "−4.0%" / "—" (no history to compare with, or nothing then to divide by). */
export function formatChange(current: number, previous: number | null): string {
  if (previous === null || previous === 0) return '—';
  const pct = ((current - previous) / previous) * 100;
  const sign = pct > 0.05 ? '+' : pct < -0.05 ? '−' : '';
  return `${sign}${Math.abs(pct).toFixed(1)}%`;
}

/** 平安指数 tone: green from 85, yellow from 70, red below. */
const indexTone = (v: number | null) =>
  v === null ? 'cyan' : v >= 85 ? 'green' : v >= 70 ? 'yellow' : 'red';

/**
 * The KPI board: two pages of eight figures that turn by themselves (a wall is not touched) — the day's
 * handling (受理, 办结, rates, 在办, 超时, 督办, 特急) and the centre's results (平安指数, 闭环率, 满意度,
 * 化解率, 主动发现率, 网格员在线率, 环比 and 同比). Figures are 32 design px (≥ 28 at 1920×1080).
 */
export function KpiBoard({
  stats,
  lang,
  periodLabel,
}: {
  stats: WallStats | null;
  lang: Lang;
  periodLabel: string;
}) {
  const k = stats?.kpi;
  const pct = (r: number | null | undefined) => (r === null || r === undefined ? null : r * 100);
  const [page, setPage] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setPage((p) => (p + 1) % 2), KPI_PAGE_MS);
    return () => clearInterval(id);
  }, []);
  const rateProps = { stats, lang };
  const compare = (c: CompareCounts | undefined, key: 'mom' | 'yoy') =>
    k && c ? formatChange(k.received, c[key]) : '—';
  const pages: ReactNode[] = [
    <>
      <Kpi
        label={lang === 'zh' ? `${periodLabel}${w('receivedPeriod', lang)}` : w('receivedPeriod', lang)}
        value={k?.received ?? null}
        tone="cyan"
        testId="kpi-received"
      />
      <Kpi label={t('resolved', lang)} value={k?.resolved ?? null} tone="green" />
      <RateKpi
        label={t('resolveRate', lang)}
        rate="resolveRate"
        tone="cyan"
        testId="kpi-resolve-rate"
        {...rateProps}
      />
      <RateKpi label={t('onTimeRate', lang)} rate="onTimeRate" tone="green" {...rateProps} />
      <Kpi label={t('open', lang)} value={k?.open ?? null} tone="cyan" />
      <Kpi label={t('overdue', lang)} value={k?.overdue ?? null} tone="red" testId="kpi-overdue" />
      <Kpi
        label={t('supervised', lang)}
        value={k?.supervised ?? null}
        tone="yellow"
        testId="kpi-supervised"
      />
      <Kpi label={t('critical', lang)} value={k?.critical ?? null} tone="red" />
    </>,
    <>
      <Kpi
        label={w('safetyIndex', lang)}
        value={k?.safetyIndex ?? null}
        digits={1}
        tone={indexTone(k?.safetyIndex ?? null)}
        testId="kpi-safety-index"
      />
      <RateKpi
        label={w('closedLoop', lang)}
        rate="closedLoopRate"
        tone="green"
        testId="kpi-closed-loop"
        {...rateProps}
      />
      <RateKpi label={w('satisfaction', lang)} rate="satisfactionRate" tone="green" {...rateProps} />
      <RateKpi
        label={w('disputeRate', lang)}
        rate="disputeResolveRate"
        tone="cyan"
        testId="kpi-dispute-rate"
        {...rateProps}
      />
      <RateKpi
        label={w('proactive', lang)}
        rate="proactiveRate"
        tone="cyan"
        testId="kpi-proactive"
        {...rateProps}
      />
      <Kpi
        label={w('workersOnline', lang)}
        value={pct(k?.workerOnlineRate)}
        digits={1}
        suffix="%"
        tone="green"
      />
      <KpiText label={w('mom', lang)} text={compare(stats?.compare.received, 'mom')} testId="kpi-mom" />
      <KpiText label={w('yoy', lang)} text={compare(stats?.compare.received, 'yoy')} testId="kpi-yoy" />
    </>,
  ];
  return (
    <div className={styles.kpi} data-testid="kpi" data-page={page}>
      <div className={styles.kpiGrid} key={page}>
        {pages[page]}
      </div>
      <div className={styles.kpiDots} aria-hidden>
        {pages.map((_, i) => (
          <i key={i} className={i === page ? styles.dotOn : ''} />
        ))}
      </div>
    </div>
  );
}

function Kpi(p: {
  label: string;
  value: number | null;
  digits?: number;
  suffix?: string;
  tone: string;
  testId?: string;
}) {
  return (
    <div className={styles.kpiCell} data-tone={p.tone} data-testid={p.testId}>
      <div className={styles.kpiValue}>
        <AnimatedNumber value={p.value} digits={p.digits} suffix={p.suffix} minChars={p.suffix ? 5 : 3} />
      </div>
      <div className={styles.kpiLabel}>{p.label}</div>
    </div>
  );
}

/**
 * A period rate: its percent, or "—" with a small 样本不足 / "n<5" hint when it divides by fewer than
 * RATE_MIN_SAMPLE cases (lib/wall/kpi-rates.ts: 0.0 % of one incident at 02:00 reads as an alarm from 5 m).
 */
function RateKpi(p: {
  label: string;
  rate: PeriodRateKey;
  tone: string;
  stats: WallStats | null;
  lang: Lang;
  testId?: string;
}) {
  const r = shownRate(p.stats, p.rate);
  const hint = r.isThin ? thinSampleHint(r.sample, p.lang) : null;
  return (
    <div
      className={styles.kpiCell}
      data-tone={hint ? 'muted' : p.tone}
      data-testid={p.testId}
      data-thin={hint ? r.sample : undefined}
      title={hint?.title}
    >
      <div className={styles.kpiValue}>
        {/* "—" centred over its hint and label (a rolling number keeps a right-aligned fixed width). */}
        {r.percent === null ? '—' : <AnimatedNumber value={r.percent} digits={1} suffix="%" minChars={5} />}
      </div>
      {hint ? <div className={styles.kpiHint}>{hint.text}</div> : null}
      <div className={styles.kpiLabel}>{p.label}</div>
    </div>
  );
}

/** A figure that is text (a signed change, or "—"), not a rolling number. */
function KpiText(p: { label: string; text: string; testId?: string }) {
  const tone = p.text.startsWith('+') ? 'yellow' : p.text.startsWith('−') ? 'green' : 'cyan';
  return (
    <div className={styles.kpiCell} data-tone={tone} data-testid={p.testId}>
      <div className={styles.kpiValue}>{p.text}</div>
      <div className={styles.kpiLabel}>{p.label}</div>
    </div>
  );
}

function Lamp({ color }: { color: string }) {
  return <i className={styles.lamp} style={{ background: color, boxShadow: `0 0 10px ${color}` }} />;
}

/**
 * A list that shows whole rows only and pages by itself: it measures its own height (design pixels: the
 * stage's scale is a transform and does not change layout sizes), fits as many rows as the height allows
 * (lib/wall/list-pages.ts `rowLayout`), in normal and briefing layouts alike, and turns the page every
 * LIST_PAGE_MS unless a pointer is moving over it. The footer carries the page ("2/9") and a summary.
 */
function PagedList<T>({
  items,
  testId,
  summary,
  renderRow,
  resetKey,
}: {
  items: readonly T[];
  testId: string;
  summary: ReactNode;
  /** `rowPx`: the row's height, the body's share (set it as the row's style height). */
  renderRow: (item: T, rowPx: number) => ReactNode;
  /** When this changes the list goes back to its first page (a new incident is shown at once). */
  resetKey?: string;
}) {
  const body = useRef<HTMLUListElement>(null);
  const [{ perPage, rowPx }, setRows] = useState({ perPage: 1, rowPx: LIST_ROW_MIN_PX });
  const [page, setPage] = useState(0);
  useEffect(() => {
    const el = body.current;
    if (!el) return;
    const measure = () => {
      const next = rowLayout(el.clientHeight, LIST_ROW_MIN_PX, LIST_ROW_MAX_PX);
      setRows((r) => (r.perPage === next.perPage && r.rowPx === next.rowPx ? r : next));
    };
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const total = items.length;
  const pages = pageCount(total, perPage);
  const [seenKey, setSeenKey] = useState(resetKey);
  if (seenKey !== resetKey) {
    // Adjusting state while rendering (React's pattern for "reset when a prop changes"), before the effect.
    setSeenKey(resetKey);
    setPage(0);
  }
  // A pointer moving over the list holds its page: whoever is about to click a row must not see it turn
  // away. A pointer left resting there (a wall's parked mouse) lets go after LIST_HOLD_MS.
  const [isHeld, setHeld] = useState(false);
  const holdTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const hold = (isOn: boolean) => {
    if (holdTimer.current) clearTimeout(holdTimer.current);
    holdTimer.current = isOn ? setTimeout(() => setHeld(false), LIST_HOLD_MS) : null;
    setHeld(isOn);
  };
  useEffect(() => () => void (holdTimer.current && clearTimeout(holdTimer.current)), []);
  useEffect(() => {
    if (pages < 2 || isHeld) return;
    const id = setInterval(() => setPage((p) => nextPage(p, total, perPage)), LIST_PAGE_MS);
    return () => clearInterval(id);
    // A reset restarts the page's full time, too.
  }, [pages, total, perPage, resetKey, isHeld]);
  const shown = clampPage(page, total, perPage);
  return (
    <div className={styles.list}>
      <ul
        ref={body}
        className={styles.rows}
        onPointerEnter={() => hold(true)}
        onPointerMove={() => hold(true)}
        onPointerLeave={() => hold(false)}
        data-testid={testId}
        data-page={shown}
        data-pages={pages}
        data-per-page={perPage}
        data-row-px={rowPx}
        data-total={total}
      >
        {pageItems(items, shown, perPage).map((item) => renderRow(item, rowPx))}
      </ul>
      <div className={styles.listFoot} data-testid={`${testId}-foot`}>
        <span className={styles.listSummary}>{summary}</span>
        <span className={styles.pageNo} data-testid={`${testId}-page`}>
          {pageIndicator(shown, total, perPage)}
        </span>
      </div>
    </div>
  );
}

/**
 * The newest open work (not 已办结, 已结案 or 作废), most recent first, 特急 ones flashing until acknowledged
 * (and put first, so a flashing row is never on a page the wall is not showing). A new incident sends the
 * list back to its first page, so it is on screen the moment it arrives.
 */
export function IncidentFeed({
  incidents,
  now,
  lang,
  flashing,
  onOpen,
}: {
  incidents: IncidentView[];
  now: number;
  lang: Lang;
  flashing: ReadonlySet<string>;
  onOpen: (i: IncidentView) => void;
}) {
  const tz = useDisplayTz();
  const open = openFeed(incidents, FEED_MAX);
  const rows = [...open.filter((i) => flashing.has(i.id)), ...open.filter((i) => !flashing.has(i.id))];
  if (rows.length === 0) return <div className={styles.empty}>{t('noData', lang)}</div>;
  return (
    <PagedList
      items={rows}
      testId="incident-feed"
      resetKey={`${rows[0]?.id ?? ''}|${open[0]?.id ?? ''}`}
      summary={`${w('openWork', lang)} ${openWorkCount(incidents)}`}
      renderRow={(i, rowPx) => {
        const lamp = timeLimitStatus(i, now).lamp;
        return (
          <li
            key={i.id}
            className={`${styles.row} ${flashing.has(i.id) ? styles.flash : ''}`}
            style={{ height: rowPx }}
            data-incident-id={i.id}
            data-state={i.state}
            data-priority={i.priority}
            onClick={() => onOpen(i)}
          >
            <span className={styles.prio} data-p={i.priority}>
              {PRIORITY_LABELS[i.priority as 1][lang]}
            </span>
            <span className={styles.title}>{maskFreeText(i.title)}</span>
            <span className={styles.meta}>{CATEGORY_LABELS[i.category][lang]}</span>
            <span className={styles.meta}>{STATE_LABELS[i.state][lang]}</span>
            <span className={styles.time}>
              {lamp === 'red' || lamp === 'yellow' ? <Lamp color={LAMP_COLOR[lamp]} /> : null}
              {wallTime(i.receivedAt, tz)}
            </span>
          </li>
        );
      }}
    />
  );
}

/**
 * 超时督办: exactly the incidents the 超时 and 督办 counts count (the server fills it with the same
 * predicates, lib/wall/work-lists.ts), overdue first. A supervised item that is only near its limit is
 * marked 预警 in yellow; 预警 items that are neither overdue nor supervised are counted in the footer and
 * not listed.
 */
export function OverdueList({
  stats,
  now,
  lang,
  onOpen,
}: {
  stats: WallStats | null;
  now: number;
  lang: Lang;
  onOpen: (id: string) => void;
}) {
  const rows = stats?.overdueList ?? [];
  const k = stats?.kpi;
  const isCut = stats !== null && stats.overdueListTotal > rows.length;
  const summary = k ? (
    <>
      <b className={styles.red}>
        {t('overdue', lang)} {k.overdue}
      </b>
      <b className={styles.yellow}>
        {t('supervised', lang)} {k.supervised}
      </b>
      <span>
        {w('warning', lang)} {k.warning}
      </span>
      {isCut ? (
        <span>
          {w('worstShown', lang)} {rows.length}
        </span>
      ) : null}
    </>
  ) : null;
  if (rows.length === 0)
    return (
      <div className={styles.list}>
        <div className={styles.empty}>{stats ? w('none', lang) : t('noData', lang)}</div>
        <div className={styles.listFoot}>
          <span className={styles.listSummary}>{summary}</span>
        </div>
      </div>
    );
  return (
    <PagedList
      items={rows}
      testId="overdue-list"
      summary={summary}
      renderRow={(r, rowPx) => (
        <li
          key={r.id}
          className={styles.row}
          style={{ height: rowPx }}
          onClick={() => onOpen(r.id)}
          data-incident-id={r.id}
          data-lamp={r.lamp}
          data-supervision={r.supervision}
        >
          {isOverdue(r.lamp) ? (
            <span className={styles.tagRed}>{w('overdueTag', lang)}</span>
          ) : isWarning(r.lamp) ? (
            <span className={styles.tagYellow}>{w('warning', lang)}</span>
          ) : (
            <Lamp color={LAMP_COLOR.green} />
          )}
          <span className={styles.title}>{maskFreeText(r.title)}</span>
          <span className={styles.meta}>
            {r.regionName ?? CATEGORY_LABELS[r.category as IncidentCategory][lang]}
          </span>
          {r.supervision > 0 ? (
            <span className={styles.card} data-card={r.supervision}>
              {SUPERVISION_LABEL[lang][r.supervision]}
            </span>
          ) : (
            <span />
          )}
          <span className={styles.time}>{formatDuration(now - r.receivedAt, lang)}</span>
        </li>
      )}
    />
  );
}

/** The 实时事件 panel's count: open work, as the list shows (not the 已办结 still on the board). */
export function openWorkCount(incidents: readonly IncidentView[]): number {
  let n = 0;
  for (const i of incidents) if (isOpenWork(i.state)) n++;
  return n;
}
