'use client';

import Link from 'next/link';
import type { ReactNode } from 'react';
import type { LinkInfo } from '@/lib/realtime/socket-client';
import { clockParts } from '@/lib/time/display-time';
import { periodLabel, t, type Lang } from '@/lib/wall/i18n';
import { WALL_PERIODS, type WallPeriod, type WallStats } from '@/lib/wall/stats';
import { linkBadge } from './link-badge';
import { rt } from './replay/replay-words';
import replayStyles from './replay/replay.module.css';
import styles from './wall.module.css';

export interface HeaderProps {
  stats: WallStats | null;
  /** When the figures shown arrived (this screen's clock; use-wall-data.ts). */
  statsAt: number;
  worldName: string;
  link: LinkInfo;
  now: number;
  /** The display time zone (DISPLAY_TZ): the clock shows the centre's time, not the browser's. */
  tz: string;
  lang: Lang;
  period: WallPeriod;
  isBriefing: boolean;
  isTouring: boolean;
  isAlarmArmed: boolean;
  /** Vehicles whose last position is fresh: what the map draws as live. */
  liveVehicles: number;
  tokenQuery: string;
  /** The search box, when this screen may search (signed in or a display token). */
  search?: ReactNode;
  /** Briefing mode's 简报 menu (components/wall/ReportsMenu.tsx), when shown. */
  reports?: ReactNode;
  onLang: (l: Lang) => void;
  onPeriod: (p: WallPeriod) => void;
  onBriefing: (b: boolean) => void;
  onTour: (b: boolean) => void;
  /** Replaying the past: the link indicator says 回放 (amber) instead of the live link's state. */
  isReplaying?: boolean;
  /** The 回放 button: opens the period picker, or returns to live while replaying. */
  onReplay?: () => void;
}

const WEEKDAYS = {
  zh: ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
} as const;
const p2 = (n: number) => String(n).padStart(2, '0');

/** The header clock's parts in the display zone: "2026-12-02", "14:20:05", "星期三" / "Wed". */
export function wallClock(ms: number, tz: string, lang: Lang) {
  const c = clockParts(ms, tz);
  return {
    date: `${c.year}-${p2(c.month)}-${p2(c.day)}`,
    time: `${p2(c.hour)}:${p2(c.minute)}:${p2(c.second)}`,
    weekday: WEEKDAYS[lang][c.weekday] ?? '',
  };
}

export function WallHeader(p: HeaderProps) {
  const clock = wallClock(p.now, p.tz, p.lang);
  const region = p.stats?.region;
  const title = region?.code ? region.name : p.worldName;
  // Data age: how long ago the last batch came, plus how far behind the server's ingest said it was.
  const age = p.link.lastBatchAt ? p.now - p.link.lastBatchAt + p.link.lagMs : Number.POSITIVE_INFINITY;
  const badge = linkBadge({ ...p, age, hasStats: p.stats !== null });
  return (
    <header className={styles.header}>
      <div className={styles.headerLeft}>
        <nav className={styles.breadcrumb} data-testid="breadcrumb">
          <Link href={`/wall${p.tokenQuery}`}>{p.worldName || t('whole', p.lang)}</Link>
          {region?.path.map((r) => (
            <span key={r.code}>
              <i>›</i>
              <Link href={`/wall/${r.code}${p.tokenQuery}`}>{r.name}</Link>
            </span>
          ))}
        </nav>
        <div className={styles.periods} data-testid="periods">
          {/* Replaying, the replay bar owns the period: 今日/本周… would name figures nobody is shown. */}
          {p.isReplaying ? (
            <span className={replayStyles.periodNote} data-testid="periods-replay">
              {rt('periodByReplay', p.lang)}
            </span>
          ) : (
            WALL_PERIODS.map((k) => (
              <button key={k} className={k === p.period ? styles.on : ''} onClick={() => p.onPeriod(k)}>
                {periodLabel(k, p.lang)}
              </button>
            ))
          )}
          {p.search}
        </div>
      </div>
      <h1 className={styles.title} data-testid="wall-title">
        {title}
        <small>{t('title', p.lang)}</small>
      </h1>
      <div className={styles.headerRight}>
        {/* Two rows of fixed-width parts: nothing shifts when the age, the clock or the alarm state changes,
            so a click never lands on a neighbour that moved under the pointer. */}
        <div className={styles.headerRow}>
          <div
            className={`${styles.link} ${p.isReplaying ? replayStyles.linkReplay : ''}`}
            data-testid="link-indicator"
            data-status={badge.status}
            data-tone={badge.tone}
            data-live-vehicles={p.liveVehicles}
            title={`${t('liveVehicles', p.lang)} ${p.liveVehicles}`}
          >
            <i />
            <span>{badge.label}</span>
            <span className={styles.age}>{badge.ageText}</span>
          </div>
          <div className={styles.clock} data-testid="clock">
            <b>{p.now ? clock.time : '--:--:--'}</b>
            <span>{p.now ? `${clock.date} ${clock.weekday}` : '\u00a0'}</span>
          </div>
        </div>
        <div className={styles.headerRow}>
          <div className={styles.toggles}>
            <button
              className={p.isBriefing ? styles.on : ''}
              onClick={() => p.onBriefing(!p.isBriefing)}
              data-testid="briefing-toggle"
            >
              {t('briefing', p.lang)}
            </button>
            <button
              className={p.isTouring ? styles.on : ''}
              onClick={() => p.onTour(!p.isTouring)}
              data-testid="tour-toggle"
            >
              {t('tour', p.lang)}
            </button>
            {p.reports}
            {p.onReplay ? (
              <button
                className={p.isReplaying ? styles.on : ''}
                onClick={p.onReplay}
                data-testid="replay-toggle"
              >
                {rt('replay', p.lang)}
              </button>
            ) : null}
            <button
              onClick={() => p.onLang(p.lang === 'zh' ? 'en' : 'zh')}
              title={t('langToggleTitle', p.lang)}
              data-testid="lang-toggle"
            >
              {t('langToggle', p.lang)}
            </button>
          </div>
          <span
            className={p.isAlarmArmed && !p.isReplaying ? styles.armed : styles.unarmed}
            data-testid="alarm-armed"
            data-armed={p.isAlarmArmed && !p.isReplaying}
          >
            {p.isReplaying
              ? `🔕 ${rt('noAlarms', p.lang)}`
              : p.isAlarmArmed
                ? `🔔 ${t('alarmArmed', p.lang)}`
                : `🔕 ${t('alarmArm', p.lang)}`}
          </span>
        </div>
      </div>
    </header>
  );
}
