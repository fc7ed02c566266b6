'use client';

import { useEffect, useRef, useState } from 'react';
import type { Lang } from '@/lib/wall/i18n';
import { clampPage, nextPage, pageCount, pageIndicator, pageItems } from '@/lib/wall/list-pages';
import { formatRate, type DepartmentStat } from '@/lib/wall/stats';
import { LIST_PAGE_MS } from '../wall/panels';
import styles from './dept-wall.module.css';

/** A rate below this is shown red, below GOOD_RATE yellow (the wall's lamp colours). */
const POOR_RATE = 0.8;
const GOOD_RATE = 0.95;
/** Row, header and footer heights (dept-wall.module.css) that decide how many rows fit whole: none is cut. */
const ROW_PX = 30;
const HEADER_PX = 26;
const FOOT_PX = 24;

/** An unattended wall shows each of region ranking and 部门报到 at least this long before turning. */
export const DEPT_TAB_ROTATE_MS = 15_000;

const WORDS = {
  dept: { zh: '部门', en: 'Department' },
  handed: { zh: '交办', en: 'Handed' },
  ackRate: { zh: '报到率', en: 'Report-in' },
  onTimeRate: { zh: '按时办结率', en: 'On time' },
  none: { zh: '本期无交办部门事件', en: 'Nothing handed to departments this period' },
} as const;

function rateClass(rate: number | null): string {
  if (rate === null) return styles.rateNone!;
  return rate < POOR_RATE ? styles.ratePoor! : rate < GOOD_RATE ? styles.rateFair! : styles.rateGood!;
}

/**
 * 部门报到 on the wall: per department, incidents handed in the period, 报到率 and 按时办结率 (docs/kpis.md).
 * Whole rows only; more departments than fit page by themselves every LIST_PAGE_MS like the wall's lists, so
 * a department low in the order is still seen. `onPages` tells the panel how many pages there are, so its
 * rotation stays long enough to show them all.
 */
export function DeptReportTable({
  rows,
  lang,
  onPages,
}: {
  rows: readonly DepartmentStat[];
  lang: Lang;
  onPages?: (pages: number) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [perPage, setPerPage] = useState(Math.max(1, rows.length));
  const [page, setPage] = useState(0);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () =>
      setPerPage(Math.max(1, Math.floor((el.clientHeight - HEADER_PX - FOOT_PX) / ROW_PX)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [rows.length === 0]); // the box exists only once there are rows
  const total = rows.length;
  const pages = pageCount(total, perPage);
  useEffect(() => onPages?.(pages), [onPages, pages]);
  useEffect(() => {
    if (pages < 2) return;
    const id = setInterval(() => setPage((p) => nextPage(p, total, perPage)), LIST_PAGE_MS);
    return () => clearInterval(id);
  }, [pages, total, perPage]);
  if (rows.length === 0) return <div className={styles.none}>{WORDS.none[lang]}</div>;
  const shown = clampPage(page, total, perPage);
  return (
    <div ref={box} className={styles.box}>
      <table className={styles.table} data-testid="dept-report" data-page={shown} data-pages={pages}>
        <thead>
          <tr>
            <th>{WORDS.dept[lang]}</th>
            <th>{WORDS.handed[lang]}</th>
            <th>{WORDS.ackRate[lang]}</th>
            <th>{WORDS.onTimeRate[lang]}</th>
          </tr>
        </thead>
        <tbody>
          {pageItems(rows, shown, perPage).map((d) => (
            <tr key={d.id} data-testid={`dept-report-${d.id}`}>
              <td className={styles.name}>{d.name}</td>
              <td>{d.handed}</td>
              <td className={rateClass(d.ackRate)} data-testid="dept-ack-rate">
                {formatRate(d.ackRate, 0)}
              </td>
              <td className={rateClass(d.onTimeRate)}>{formatRate(d.onTimeRate, 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className={styles.foot} data-testid="dept-report-page">
        {pageIndicator(shown, total, perPage)}
      </div>
    </div>
  );
}

/**
 * Which of two views a panel shows: the one picked by hand, or, left alone, each in turn (when
 * `shouldRotate`) for `dwellMs(tab)`, so an unattended wall shows both, and all of a paged one.
 */
export function useRotatingTab<T extends string>(
  tabs: readonly [T, T],
  shouldRotate: boolean,
  dwellMs: (tab: T) => number = () => DEPT_TAB_ROTATE_MS,
) {
  const [tab, setTab] = useState<T>(tabs[0]);
  const [isPinned, setPinned] = useState(false);
  const dwell = dwellMs(tab);
  useEffect(() => {
    if (!shouldRotate || isPinned) return;
    const id = setTimeout(() => setTab((t) => (t === tabs[0] ? tabs[1] : tabs[0])), dwell);
    return () => clearTimeout(id);
  }, [shouldRotate, isPinned, tabs, tab, dwell]);
  const pick = (t: T) => {
    setTab(t);
    setPinned(true);
  };
  return [tab, pick] as const;
}
