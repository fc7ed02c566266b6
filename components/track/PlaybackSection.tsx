'use client';

import { useEffect, useMemo, useState } from 'react';
import type { IncidentPlaybackResponse, PlaybackStep } from '@/lib/history/playback';
import { STATE_LABELS } from '@/lib/domain/enums';
import {
  playbackAsOf,
  playbackCut,
  playbackHoldAt,
  unheldLine,
  type Unheld,
} from '@/lib/history/replay-detail';
import { formatDistance, formatSpan } from '@/lib/history/track-view';
import { formatTime } from '@/lib/time/display-time';
import type { Lang } from '@/lib/wall/i18n';
import type { Rgba } from '@/lib/wall/palette';
import type { TrackMark, TrackOverlay } from '../map/track-overlay';
import { useTrackOnMap, type FitPadding } from './use-track-on-map';
import { SpeedLegend } from './SpeedLegend';
import type { Fetcher } from './TrackSection';
import { tw, type TrackWord } from './track-words';
import css from './track.module.css';

/** Step marks on the map: the dispatch point in the console's link blue, the arrival in white. */
const DISPATCH_MARK: Rgba = [64, 200, 255, 255];
const ARRIVAL_MARK: Rgba = [255, 255, 255, 255];

const stepWord = (s: PlaybackStep, lang: Lang) => tw(`step_${s.kind}` as TrackWord, lang);

/**
 * 处置回放 for one incident: who was sent, the unit's way from the dispatch to the scene on the map (speed
 * colours; the dispatch and arrival points numbered as their steps), each step's time and the time to arrive.
 * `asOf` (replay): only what had happened by that instant, for the unit that held the case then; after a 退单
 * (`unheld`), for the unit that held it until then, and the holder line says it waits to be sent again.
 */
export function PlaybackSection({
  incidentId,
  lang,
  tz,
  fetcher,
  mask,
  pixelScale,
  padding,
  asOf,
  unheld,
  isWall = false,
}: {
  incidentId: string;
  lang: Lang;
  tz: string;
  fetcher: Fetcher;
  mask?: boolean;
  pixelScale?: number;
  padding?: (map: DOMRect) => FitPadding;
  asOf?: number;
  /** Replaying: nobody held the case at `asOf` since this step (a 退单), though a unit had before it. */
  unheld?: Unheld | null;
  /** On the wall: read at 5 m, nothing under 16 px. */
  isWall?: boolean;
}) {
  const [isOpen, setOpen] = useState(false);
  const [answer, setAnswer] = useState<IncidentPlaybackResponse | null>(null);
  // Re-cut only when the replay clock passes a step or a route point: a new overlay redraws and refits the map.
  const cut = answer && asOf !== undefined ? playbackCut(answer, asOf) : null;
  const data = useMemo(() => (answer && cut !== null ? playbackAsOf(answer, cut) : answer), [answer, cut]);
  const [error, setError] = useState<string | null>(null);
  /** The replay instant the answer was asked for: asked again only when the case changed hands since. */
  const [askAt, setAskAt] = useState<number | undefined>(undefined);
  // After a 退单 the playback stays the returning unit's (asked just before it), as the case's timeline does.
  const holdAt = asOf === undefined ? undefined : playbackHoldAt(asOf, unheld);
  const isUnheld = unheld != null && asOf !== undefined && asOf >= unheld.heldUntil;
  const held = answer?.holding;
  const isStale =
    holdAt !== undefined &&
    held !== undefined &&
    ((held.from !== null && holdAt < held.from) || (held.to !== null && holdAt >= held.to));

  useEffect(() => {
    if (isOpen && (isStale || (holdAt === undefined) !== (askAt === undefined))) setAskAt(holdAt);
  }, [isOpen, isStale, holdAt, askAt]);

  useEffect(() => {
    if (!isOpen) return;
    let isCancelled = false;
    setAnswer(null);
    setError(null);
    const q = new URLSearchParams();
    if (mask) q.set('mask', '1');
    if (askAt !== undefined) q.set('at', String(askAt));
    const query = q.toString() ? `?${q.toString()}` : '';
    void (async () => {
      try {
        const r = await fetcher(`/api/history/incident/${encodeURIComponent(incidentId)}/playback${query}`);
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        const body = (await r.json()) as IncidentPlaybackResponse;
        if (!isCancelled) setAnswer(body);
      } catch (e) {
        if (!isCancelled) setError(e instanceof Error ? e.message : String(e));
      }
    })();
    return () => {
      isCancelled = true;
    };
  }, [isOpen, incidentId, fetcher, mask, askAt]);

  const overlay = useMemo((): TrackOverlay | null => {
    if (!isOpen || !data) return null;
    const pts = data.route?.points ?? [];
    const marks: TrackMark[] = [];
    const number = (kind: PlaybackStep['kind']) => String(data.steps.findIndex((s) => s.kind === kind) + 1);
    if (pts.length > 0 && data.steps.some((s) => s.kind === 'dispatched'))
      marks.push({ lng: pts[0]!.lng, lat: pts[0]!.lat, label: number('dispatched'), color: DISPATCH_MARK });
    if (pts.length > 0 && data.arriveMs !== null) {
      const last = pts[pts.length - 1]!;
      marks.push({ lng: last.lng, lat: last.lat, label: number('on_scene'), color: ARRIVAL_MARK });
    }
    const i = data.incident;
    return {
      key: `playback:${i.id}`,
      points: pts,
      stops: [],
      marks,
      incidents: [{ id: i.id, lng: i.lng, lat: i.lat, priority: i.priority }],
    };
  }, [isOpen, data]);
  useTrackOnMap(overlay, { pixelScale, padding });

  if (!isOpen)
    return (
      <button
        className={css.open}
        onClick={() => {
          setAskAt(holdAt);
          setOpen(true);
        }}
        data-testid="playback-open"
      >
        {tw('playback', lang)}
      </button>
    );
  return (
    <section
      className={css.section}
      data-testid="playback-section"
      data-size={isWall ? 'wall' : undefined}
      data-state={error ? 'error' : data ? 'ready' : 'loading'}
      data-points={data?.route?.points.length ?? 0}
    >
      <div className={css.head}>
        <h4>{tw('playback', lang)}</h4>
        <button className={css.close} onClick={() => setOpen(false)}>
          {tw('hidePlayback', lang)}
        </button>
      </div>
      {error ? <div className={css.error}>{error}</div> : null}
      {!data && !error ? <div className={css.muted}>{tw('loading', lang)}</div> : null}
      {data ? (
        <>
          <div className={css.figures}>
            <span>
              {tw('unit', lang)}{' '}
              <b data-testid="playback-unit">
                {isUnheld ? unheldLine(unheld, tz, lang) : (data.unit?.name ?? tw('noUnit', lang))}
              </b>
            </span>
            <span>
              {tw('arrive', lang)}{' '}
              <b data-testid="playback-arrive">
                {data.arriveMs !== null ? formatSpan(data.arriveMs, lang) : tw('notArrived', lang)}
              </b>
            </span>
            {data.route ? (
              <span>
                {tw('route', lang)}{' '}
                <b data-testid="playback-distance">
                  {data.route.points.length > 0 ? formatDistance(data.route.distanceM) : tw('noRoute', lang)}
                </b>
              </span>
            ) : null}
          </div>
          <ol className={css.list} data-testid="playback-steps">
            {data.steps.map((s, k) => (
              <li key={s.kind} data-step={s.kind}>
                <span
                  className={css.num}
                  data-mark={
                    s.kind === 'dispatched' ? 'dispatch' : s.kind === 'on_scene' ? 'arrive' : undefined
                  }
                >
                  {k + 1}
                </span>
                <time>{formatTime(s.at, tz, true)}</time>
                <b>{stepWord(s, lang)}</b>
                {s.kind === 'dispatched' && data.unit ? (
                  <span className={css.muted}>→ {data.unit.name}</span>
                ) : null}
                {/* Whose 到场, once the holder line no longer names the unit. */}
                {s.kind === 'on_scene' && isUnheld && data.unit ? (
                  <span className={css.muted}>{data.unit.name}</span>
                ) : null}
              </li>
            ))}
            {isUnheld ? (
              <li data-step={unheld.state}>
                <span className={css.num}>{data.steps.length + 1}</span>
                <time>{formatTime(unheld.at, tz, true)}</time>
                <b>{STATE_LABELS[unheld.state][lang]}</b>
              </li>
            ) : null}
          </ol>
          {data.route && data.route.points.length > 0 ? (
            <SpeedLegend lang={lang} tail={<span>km/h</span>} />
          ) : null}
        </>
      ) : null}
    </section>
  );
}
