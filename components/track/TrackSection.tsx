'use client';

import { useEffect, useMemo, useState } from 'react';
import { PRIORITY_LABELS } from '@/lib/domain/enums';
import type { HistoryIncidentsResponse, TrackResponse } from '@/lib/history/contract';
import { trackAround } from '@/lib/history/replay-detail';
import {
  formatDistance,
  formatSpan,
  handledIncidents,
  PERIOD_WORDS,
  periodRange,
  stopMs,
  TRACK_PERIODS,
  type TrackPeriod,
} from '@/lib/history/track-view';
import { formatTime } from '@/lib/time/display-time';
import { maskFreeText } from '@/lib/wall/format';
import type { Lang } from '@/lib/wall/i18n';
import type { Rgba } from '@/lib/wall/palette';
import type { TrackOverlay } from '../map/track-overlay';
import { useTrackOnMap, type FitPadding } from './use-track-on-map';
import { fromLocalInput, toLocalInput } from './local-input';
import { SpeedLegend } from './SpeedLegend';
import { tw } from './track-words';
import css from './track.module.css';

export type Fetcher = (path: string) => Promise<Response>;

/** The stop marks' colour: white discs with dark digits read on every speed colour and basemap. */
const STOP_MARK: Rgba = [255, 255, 255, 255];
/** The replay instant's mark: the replay's amber, so it reads as "here, then" on every speed colour. */
const AROUND_MARK: Rgba = [255, 176, 32, 255];
/** Stops and incidents listed at most (the map shows them all; a wall is not scrolled). */
const LIST_MAX = 6;

interface Loaded {
  track: TrackResponse;
  handled: HistoryIncidentsResponse['incidents'];
}

/**
 * 轨迹回放 for one vehicle or worker: a period, the track on the map (speed colours, numbered stops, the
 * incidents it handled), and beside it the distance, the stops with their lengths and the incidents (a click
 * opens one). Shown while mounted and open; the map overlay goes with it.
 */
export function TrackSection({
  kind,
  id,
  lang,
  tz,
  fetcher,
  regionCode,
  onOpenIncident,
  mask,
  pixelScale,
  padding,
  startOpen = false,
  onClose,
  title,
  around,
}: {
  kind: 'vehicle' | 'worker';
  id: string;
  lang: Lang;
  tz: string;
  fetcher: Fetcher;
  /** The screen's region: the incidents listing is asked for it only (null: the principal's own). */
  regionCode?: string | null;
  onOpenIncident?: (id: string) => void;
  /** Titles masked (a wall seen by a room). */
  mask?: boolean;
  /** Screen pixels per design pixel (the wall's stage scale): the drawn track grows with it. */
  pixelScale?: number;
  /** What covers the map (the drawer, panels), so the fitted track stays in view. */
  padding?: (map: DOMRect) => FitPadding;
  /** Opened at once (the console opens it from a unit's 轨迹 button). */
  startOpen?: boolean;
  /** Called when it is closed (the console then removes it). */
  onClose?: () => void;
  /** The unit's name beside the heading (the console; the drawer has it as its title). */
  title?: string;
  /**
   * Replaying: the wall's replay instant. Opening the track then asks for the half hour either side of it
   * (not the last hour of today) and marks where the unit was at that instant.
   */
  around?: number;
}) {
  const [isOpen, setOpen] = useState(startOpen);
  const [period, setPeriod] = useState<TrackPeriod>('1h');
  const [custom, setCustom] = useState(() => {
    const now = Date.now();
    return { from: toLocalInput(now - 2 * 3_600_000, tz), to: toLocalInput(now, tz) };
  });
  /** The replay instant the track was opened around (fixed at the click: the replay clock moves on). */
  const [openedAt, setOpenedAt] = useState<number | null>(null);
  /** Bumped by 查询 (and by a preset click): what is asked is fixed when asked, not re-read each render. */
  const [ask, setAsk] = useState(0);
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);

  const range = useMemo((): [number, number] | null => {
    if (period !== 'custom') return periodRange(period, Date.now(), tz);
    const f = fromLocalInput(custom.from, tz);
    const t = fromLocalInput(custom.to, tz);
    return f !== null && t !== null && f < t ? [f, t] : null;
    // `ask` re-reads "now" for a preset when asked again.
  }, [period, ask, tz]);

  useEffect(() => {
    if (!isOpen) return;
    if (!range) {
      setError(tw('badRange', lang));
      return;
    }
    let isCancelled = false;
    setData(null);
    setError(null);
    const [from, to] = range;
    const q = `from=${from}&to=${to}`;
    const region = regionCode ? `&region=${regionCode}` : '';
    void (async () => {
      try {
        const r = await fetcher(`/api/history/track/${kind}/${encodeURIComponent(id)}?${q}`);
        const track: TrackResponse | null = r.ok
          ? ((await r.json()) as TrackResponse)
          : r.status === 404
            ? { kind, id, from, to, points: [], stops: [], distanceM: 0, isTruncated: false }
            : null;
        if (!track) throw new Error(`HTTP ${r.status}`);
        const ri = await fetcher(`/api/history/incidents?${q}${region}`);
        const list = ri.ok ? ((await ri.json()) as HistoryIncidentsResponse).incidents : [];
        if (!isCancelled) setData({ track, handled: handledIncidents(list, kind, id, from, to) });
      } catch (e) {
        if (!isCancelled) setError(e instanceof Error ? e.message : String(e));
      }
    })();
    return () => {
      isCancelled = true;
    };
  }, [isOpen, range, kind, id, fetcher, regionCode, lang]);

  const overlay = useMemo((): TrackOverlay | null => {
    if (!isOpen || !data) return null;
    const { track, handled } = data;
    const marks = track.stops.map((s, i) => ({
      lng: s.lng,
      lat: s.lat,
      label: String(i + 1),
      color: STOP_MARK,
    }));
    const here = openedAt !== null ? pointAt(track.points, openedAt) : null;
    if (here) marks.push({ lng: here.lng, lat: here.lat, label: '', color: AROUND_MARK });
    return {
      key: `${kind}:${id}:${track.from}:${track.to}`,
      points: track.points,
      stops: track.stops,
      marks,
      incidents: handled.map((i) => ({ id: i.id, lng: i.lng, lat: i.lat, priority: i.priority })),
    };
  }, [isOpen, data, kind, id, openedAt]);
  // The drawn track leaves with the section (closed, another unit, the drawer gone).
  useTrackOnMap(overlay, { pixelScale, padding });

  if (!isOpen)
    return (
      <button
        className={css.open}
        onClick={() => {
          if (around !== undefined) {
            const [from, to] = trackAround(around, Date.now());
            setCustom({ from: toLocalInput(from, tz), to: toLocalInput(to, tz) });
            setPeriod('custom');
            setOpenedAt(around);
            setAsk((n) => n + 1);
          }
          setOpen(true);
        }}
        data-testid="track-open"
      >
        {tw('track', lang)}
      </button>
    );
  const track = data?.track;
  return (
    <section
      className={css.section}
      data-testid="track-section"
      data-points={track ? track.points.length : undefined}
      data-from={range?.[0]}
      data-to={range?.[1]}
      data-state={error ? 'error' : track ? 'ready' : 'loading'}
    >
      <div className={css.head}>
        <h4>
          {tw('track', lang)}
          {title ? ` · ${title}` : ''}
        </h4>
        <button
          className={css.close}
          onClick={() => {
            setOpen(false);
            onClose?.();
          }}
        >
          {tw('hideTrack', lang)}
        </button>
      </div>
      <div className={css.periods} role="group">
        {TRACK_PERIODS.map((p) => (
          <button
            key={p}
            className={css.period}
            aria-pressed={p === period}
            data-testid={`track-period-${p}`}
            onClick={() => {
              setPeriod(p);
              setAsk((n) => n + 1);
            }}
          >
            {PERIOD_WORDS[p][lang]}
          </button>
        ))}
      </div>
      {period === 'custom' ? (
        <div className={css.custom}>
          <input
            type="datetime-local"
            aria-label={tw('from', lang)}
            value={custom.from}
            onChange={(e) => setCustom((c) => ({ ...c, from: e.target.value }))}
          />
          <input
            type="datetime-local"
            aria-label={tw('to', lang)}
            value={custom.to}
            onChange={(e) => setCustom((c) => ({ ...c, to: e.target.value }))}
          />
          <button className={css.period} onClick={() => setAsk((n) => n + 1)}>
            {tw('query', lang)}
          </button>
        </div>
      ) : null}
      <SpeedLegend lang={lang} lead={<span>{tw('speed', lang)}</span>} />
      {error ? <div className={css.error}>{error}</div> : null}
      {!track && !error ? <div className={css.muted}>{tw('loading', lang)}</div> : null}
      {track ? (
        <>
          <div className={css.figures}>
            <span>
              {tw('distance', lang)} <b data-testid="track-distance">{formatDistance(track.distanceM)}</b>
            </span>
            <span>
              {tw('stops', lang)}{' '}
              <b data-testid="track-stop-count">
                {track.stops.length}
                {tw('times', lang)}
              </b>
            </span>
            <span>
              {tw('points', lang)} <b>{track.points.length}</b>
            </span>
          </div>
          {track.points.length === 0 ? <div className={css.muted}>{tw('noTrack', lang)}</div> : null}
          {track.isTruncated ? <div className={css.muted}>{tw('truncated', lang)}</div> : null}
          {track.stops.length > 0 ? (
            <>
              <h5>{tw('stopsTitle', lang)}</h5>
              <ol className={css.list} data-testid="track-stops">
                {track.stops.slice(0, LIST_MAX).map((s, i) => (
                  <li key={s.from}>
                    <span className={css.num}>{i + 1}</span>
                    <time>
                      {formatTime(s.from, tz)}–{formatTime(s.to, tz)}
                    </time>
                    <b data-testid="track-stop-duration">{formatSpan(stopMs(s), lang)}</b>
                  </li>
                ))}
              </ol>
            </>
          ) : null}
          <h5>{tw('handled', lang)}</h5>
          {data.handled.length === 0 ? (
            <div className={css.muted}>{tw('none', lang)}</div>
          ) : (
            <ul className={css.list} data-testid="track-incidents">
              {data.handled.slice(0, LIST_MAX).map((i) => (
                <li key={i.id}>
                  <button
                    className={css.link}
                    onClick={() => onOpenIncident?.(i.id)}
                    disabled={!onOpenIncident}
                    data-testid="track-incident"
                  >
                    <time>{formatTime(i.reportedAt, tz)}</time>
                    <span className={css.prio} data-p={i.priority}>
                      {PRIORITY_LABELS[i.priority as 1]?.[lang] ?? i.priority}
                    </span>
                    {mask ? maskFreeText(i.title) : i.title}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      ) : null}
    </section>
  );
}

/** The last point at or before `t` (where the unit was then), else the first one; null without points. */
function pointAt<P extends { ts: number }>(points: readonly P[], t: number): P | null {
  let found: P | null = points[0] ?? null;
  for (const p of points) {
    if (p.ts > t) break;
    found = p;
  }
  return found;
}
