'use client';

import { useRef, type PointerEvent } from 'react';
import { PRIORITY_COLOR } from '@/lib/wall/palette';
import { REPLAY_SPEEDS, timelineMarks, timelineTicks, type ReplayClock } from '@/lib/history/replay-model';
import type { HistoryIncident } from '@/lib/history/contract';
import { formatDate, formatTime, offsetMinutes } from '@/lib/time/display-time';
import type { Lang } from '@/lib/wall/i18n';
import type { ReplayController } from './replay-controller';
import { rt } from './replay-words';
import styles from './replay.module.css';

export interface ReplayBarProps {
  controller: ReplayController;
  clock: ReplayClock;
  /** Replayed time now (ticks with useReplayAt). */
  at: number;
  incidents: HistoryIncident[];
  isLoading: boolean;
  error: string | null;
  tz: string;
  lang: Lang;
  onLive: () => void;
}

/** "2026-12-01 08:00–18:00", or both dates when the period spans days. */
export function periodText(from: number, to: number, tz: string): string {
  const d0 = formatDate(from, tz);
  const d1 = formatDate(to, tz);
  return d0 === d1
    ? `${d0} ${formatTime(from, tz)}–${formatTime(to, tz)}`
    : `${d0} ${formatTime(from, tz)} – ${d1} ${formatTime(to, tz)}`;
}

/**
 * The replay banner and its controls over the map: what is replayed, at what speed and which instant, one
 * click back to live, play/pause, the speeds, and a timeline (incidents marked) to seek on.
 */
export function ReplayBar(p: ReplayBarProps) {
  const { clock, lang, tz } = p;
  const track = useRef<HTMLDivElement>(null);
  const span = clock.to - clock.from;
  const f = span > 0 ? (p.at - clock.from) / span : 0;
  const marks = timelineMarks(p.incidents, clock);
  const ticks = timelineTicks(clock, offsetMinutes(clock.from, tz) * 60_000);
  const seekAt = (e: PointerEvent<HTMLDivElement>) => {
    const r = track.current?.getBoundingClientRect();
    if (!r || r.width <= 0) return;
    const x = Math.min(1, Math.max(0, (e.clientX - r.left) / r.width));
    p.controller.seekTo(clock.from + x * span);
  };
  return (
    <div className={styles.bar} data-testid="replay-bar" data-at={Math.round(p.at)}>
      <div className={styles.banner} data-testid="replay-banner" role="status">
        <b>{rt('replay', lang)}</b>
        <span>
          {periodText(clock.from, clock.to, tz)} · {clock.speed}× · {rt('current', lang)}{' '}
          <time data-testid="replay-clock">{formatTime(p.at, tz, true)}</time>
        </span>
        {p.isLoading ? <em>{rt('loading', lang)}</em> : null}
        {p.error ? <em title={p.error}>{rt('historyError', lang)}</em> : null}
        <button className={styles.live} onClick={p.onLive} data-testid="replay-exit">
          {rt('backToLive', lang)}
        </button>
      </div>
      <div className={styles.controls}>
        <button
          className={styles.play}
          onClick={() => p.controller.play(!clock.isPlaying)}
          data-testid="replay-play"
          data-playing={clock.isPlaying}
          title={rt(clock.isPlaying ? 'pause' : 'play', lang)}
        >
          {clock.isPlaying ? '❚❚' : '▶'}
        </button>
        <div className={styles.speeds} data-testid="replay-speeds" title={rt('speed', lang)}>
          {REPLAY_SPEEDS.map((s) => (
            <button
              key={s}
              className={s === clock.speed ? styles.on : ''}
              onClick={() => p.controller.setSpeed(s)}
            >
              {s}×
            </button>
          ))}
        </div>
        <div
          ref={track}
          className={styles.track}
          data-testid="replay-timeline"
          onPointerDown={(e) => {
            e.currentTarget.setPointerCapture(e.pointerId);
            seekAt(e);
          }}
          onPointerMove={(e) => {
            if (e.buttons === 1) seekAt(e);
          }}
        >
          <div className={styles.rail} />
          <div className={styles.done} style={{ width: `${f * 100}%` }} />
          {marks.map((m) => (
            <i
              key={m.id}
              className={styles.mark}
              style={{ left: `${m.f * 100}%`, background: rgb(PRIORITY_COLOR[m.priority]) }}
            />
          ))}
          {ticks.map((t) => (
            <span key={t.at} className={styles.tick} style={{ left: `${t.f * 100}%` }}>
              {formatTime(t.at, tz)}
            </span>
          ))}
          <div className={styles.head} style={{ left: `${f * 100}%` }} />
        </div>
      </div>
    </div>
  );
}

function rgb(c: readonly number[] | undefined): string {
  return c ? `rgb(${c[0]}, ${c[1]}, ${c[2]})` : '#9cc7ef';
}
