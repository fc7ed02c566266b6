'use client';

import { useEffect, useRef, useState } from 'react';
import type { Lang } from '@/lib/wall/i18n';
import { formatRate, type DepartmentStat } from '@/lib/wall/stats';
import styles from './dept-wall.module.css';

/** A rate below this is shown red, below GOOD_RATE yellow (the wall's lamp colours). */
const POOR_RATE = 0.8;
const GOOD_RATE = 0.95;
/** Row and header heights (dept-wall.module.css) that decide how many rows fit whole: none is cut in half. */
const ROW_PX = 30;
const HEADER_PX = 26;

/** An unattended wall turns between region ranking and 部门报到 this often. */
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

/** 部门报到 on the wall: per department, incidents handed in the period, 报到率 and 按时办结率 (docs/kpis.md). */
export function DeptReportTable({ rows, lang }: { rows: readonly DepartmentStat[]; lang: Lang }) {
  const box = useRef<HTMLDivElement>(null);
  const [fit, setFit] = useState(rows.length);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => setFit(Math.max(1, Math.floor((el.clientHeight - HEADER_PX) / ROW_PX)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [rows.length === 0]); // the box exists only once there are rows
  if (rows.length === 0) return <div className={styles.none}>{WORDS.none[lang]}</div>;
  return (
    <div ref={box} className={styles.box}>
      <table className={styles.table} data-testid="dept-report">
        <thead>
          <tr>
            <th>{WORDS.dept[lang]}</th>
            <th>{WORDS.handed[lang]}</th>
            <th>{WORDS.ackRate[lang]}</th>
            <th>{WORDS.onTimeRate[lang]}</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, fit).map((d) => (
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
    </div>
  );
}

/**
 * Which of two views a panel shows: the one picked by hand, or, left alone, each in turn every
 * DEPT_TAB_ROTATE_MS (when `shouldRotate`), so an unattended wall shows both.
 */
export function useRotatingTab<T extends string>(tabs: readonly [T, T], shouldRotate: boolean) {
  const [tab, setTab] = useState<T>(tabs[0]);
  const [isPinned, setPinned] = useState(false);
  useEffect(() => {
    if (!shouldRotate || isPinned) return;
    const id = setInterval(() => setTab((t) => (t === tabs[0] ? tabs[1] : tabs[0])), DEPT_TAB_ROTATE_MS);
    return () => clearInterval(id);
  }, [shouldRotate, isPinned, tabs]);
  const pick = (t: T) => {
    setTab(t);
    setPinned(true);
  };
  return [tab, pick] as const;
}
