'use client';

import { useEffect, useRef, useState } from 'react';
import {
  CAMERA_STATUS_LABELS,
  CATEGORY_LABELS,
  PRIORITY_LABELS,
  SOURCE_LABELS,
  STATE_LABELS,
  VEHICLE_STATUS_LABELS,
  type CameraStatus,
  type VehicleStatus,
} from '@/lib/domain/enums';
import type { EntityDetailResponse, IncidentResponse } from '@/lib/dispatch/api-types';
import type { IncidentView } from '@/lib/domain/incident';
import { handlingAt, incidentAsOf, unheldLine, unitAt, type Unheld } from '@/lib/history/replay-detail';
import { timelineWhat, timelineWho } from '@/lib/names/timeline-text';
import { formatDateTime, formatTime } from '@/lib/time/display-time';
import { formatAge, formatDuration, maskFreeText, maskName, maskPhone } from '@/lib/wall/format';
import { milestoneLabel, t, type Lang } from '@/lib/wall/i18n';
import { LAMP_COLOR } from '@/lib/wall/palette';
import { useDisplayTz } from '../time/use-display-tz';
import { PlaybackSection } from '../track/PlaybackSection';
import { IncidentPhotos } from '../photos/IncidentPhotos';
import { TrackSection } from '../track/TrackSection';
import type { FitPadding } from '../track/use-track-on-map';
import { ReplayAsOf, ReplayUnitFacts } from './replay/ReplayFacts';
import type { ReplayController } from './replay/replay-controller';
import { useReplayAt } from './replay/use-replay';
import replayStyles from './replay/replay.module.css';
import { displayToken, wallFetch } from './use-wall-data';
import own from './DetailDrawer.module.css';
import styles from './wall.module.css';

export type Selection =
  | { kind: 'incident'; id: string; view?: IncidentView }
  /** `idx`: where the map drew it (the live numbering), so replay reads the unit from its frame. */
  | { kind: 'vehicle' | 'camera'; id: string; name: string | null; idx?: number };

type IncidentDetail = IncidentResponse;
type EntityDetail = EntityDetailResponse;

/** The drawer's own words (the wall's shared ones come from lib/wall/i18n). */
const WORDS = {
  assignee: { zh: '处置单位', en: 'Assigned to' },
  unassigned: { zh: '未派单', en: 'Not assigned' },
  department: { zh: '所属单位', en: 'Department' },
  plate: { zh: '车牌', en: 'Plate' },
  id: { zh: '编号', en: 'ID' },
  earlier: { zh: '更早的步骤', en: 'Earlier steps' },
} as const;
/** Timeline steps the drawer shows (the newest): a wall is not scrolled, so the latest must be in view. */
const TIMELINE_SHOWN = 8;
const w = (key: keyof typeof WORDS, lang: Lang) => WORDS[key][lang];

/** Photo thumbnails the drawer shows (three across, one row): a wall is not scrolled; the lightbox has all. */
const PHOTOS_SHOWN = 3;

/** An <img> sends no header: a token-opened screen's pictures carry its token in the address instead. */
function withDisplayToken(url: string): string {
  const token = displayToken();
  return token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url;
}

/** Re-read the selected item's details this often while the drawer is open. */
const DETAIL_REFRESH_MS = 5_000;

export function DetailDrawer({
  selection,
  lang,
  onClose,
  onOpen,
  regionCode,
  replay = null,
}: {
  selection: Selection;
  lang: Lang;
  onClose: () => void;
  /** Opens another item in the drawer (an incident a unit handled on its track). */
  onOpen?: (s: Selection) => void;
  /** The wall's region: a track lists the incidents of this region only. */
  regionCode?: string | null;
  /**
   * Replaying: the drawer shows the item as of the replay instant (the unit from the replayed frame, the
   * incident's timeline cut there), not as it is now. Who it is still comes from the live details.
   */
  replay?: ReplayController | null;
}) {
  const aside = useRef<HTMLElement>(null);
  const [data, setData] = useState<IncidentDetail | EntityDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tz = useDisplayTz();
  const path =
    selection.kind === 'incident' ? 'incidents' : selection.kind === 'vehicle' ? 'vehicles' : 'cameras';
  const replayAt = useReplayAt(replay, replay !== null);
  const asOf = replay && replayAt > 0 ? replayAt : null;
  // Right after a switch from a unit, `data` is still the unit's until the incident's arrives.
  const incident = data && 'timeline' in data ? data : null;
  const incidentThen = asOf !== null && incident ? incidentAsOf(incident, asOf) : null;

  useEffect(() => {
    let isCancelled = false;
    setData(null);
    setError(null);
    const load = async () => {
      try {
        // `mask=1`: a wall is seen by a room, so personal names come masked whoever is signed in.
        const r = await wallFetch(`/api/${path}/${encodeURIComponent(selection.id)}?mask=1`);
        if (isCancelled) return;
        if (!r.ok)
          setError(r.status === 401 || r.status === 403 ? t('unauthorized', lang) : `HTTP ${r.status}`);
        else setData((await r.json()) as IncidentDetail | EntityDetail);
      } catch {
        if (!isCancelled) setError(t('disconnected', lang));
      }
    };
    void load();
    const id = setInterval(() => void load(), DETAIL_REFRESH_MS);
    return () => {
      isCancelled = true;
      clearInterval(id);
    };
  }, [path, selection.id, lang]);

  return (
    <aside
      ref={aside}
      className={`${styles.drawer} ${asOf !== null ? replayStyles.drawerReplay : ''}`}
      data-testid="detail-drawer"
      data-kind={selection.kind}
      data-replay={asOf !== null}
    >
      <button className={styles.drawerClose} onClick={onClose} aria-label={t('close', lang)}>
        ×
      </button>
      {asOf !== null ? <ReplayAsOf at={asOf} tz={tz} lang={lang} /> : null}
      {selection.kind === 'incident' ? (
        <IncidentBody
          detail={incidentThen ?? incident}
          unheld={incidentThen?.unheld ?? null}
          fallback={selection.view}
          lang={lang}
          tz={tz}
          photos={(refreshKey) => (
            <IncidentPhotos
              key={`photos-${selection.id}`}
              incidentId={selection.id}
              lang={lang}
              tz={tz}
              fetcher={wallFetch}
              size="wall"
              refreshKey={refreshKey}
              imageUrl={withDisplayToken}
              max={PHOTOS_SHOWN}
              asOf={asOf ?? undefined}
            />
          )}
          history={
            <PlaybackSection
              key={selection.id}
              incidentId={selection.id}
              lang={lang}
              tz={tz}
              fetcher={wallFetch}
              mask
              pixelScale={stageScale(aside.current)}
              padding={(box) => clearOfDrawer(aside.current, box)}
              asOf={asOf ?? undefined}
              unheld={incidentThen?.unheld}
              isWall
            />
          }
        />
      ) : (
        <EntityBody
          kind={selection.kind}
          name={selection.name}
          detail={data as EntityDetail | null}
          lang={lang}
          replayFacts={
            replay && asOf !== null ? (
              <ReplayUnitFacts
                kind={selection.kind}
                unit={
                  selection.idx === undefined
                    ? undefined
                    : unitAt(replay.state.entities[selection.kind], selection.idx)
                }
                at={asOf}
                handling={
                  selection.kind === 'vehicle'
                    ? handlingAt(replay.snapshot.incidents, 'vehicle', selection.id, asOf)
                    : []
                }
                lang={lang}
                tz={tz}
                onOpenIncident={onOpen ? (id) => onOpen({ kind: 'incident', id }) : undefined}
              />
            ) : null
          }
        />
      )}
      {selection.kind === 'vehicle' ? (
        <TrackSection
          key={selection.id}
          kind="vehicle"
          id={selection.id}
          lang={lang}
          tz={tz}
          fetcher={wallFetch}
          regionCode={regionCode}
          mask
          onOpenIncident={onOpen ? (id) => onOpen({ kind: 'incident', id }) : undefined}
          pixelScale={stageScale(aside.current)}
          padding={(box) => clearOfDrawer(aside.current, box)}
          around={asOf ?? undefined}
        />
      ) : null}
      {error ? <div className={styles.drawerError}>{error}</div> : null}
    </aside>
  );
}

function Row({ k, v, testId }: { k: string; v: React.ReactNode; testId?: string }) {
  return (
    <div className={`${styles.kv} ${own.kv}`}>
      <span>{k}</span>
      <b data-testid={testId}>{v}</b>
    </div>
  );
}

/** Screen pixels per design pixel of the stage the drawer is on (its drawn width over its own). */
function stageScale(el: HTMLElement | null): number {
  if (!el || el.offsetWidth === 0) return 1;
  return el.getBoundingClientRect().width / el.offsetWidth;
}

/**
 * The map's padding that keeps a fitted track clear of the drawer (on the right), the left panels (the
 * stage's `--map-left`, in design pixels) and the map controls at the bottom.
 */
function clearOfDrawer(el: HTMLElement | null, map: DOMRect): FitPadding {
  const margin = 32;
  if (!el) return { top: margin, right: margin, bottom: margin, left: margin };
  const r = el.getBoundingClientRect();
  const s = stageScale(el);
  const left = parseFloat(getComputedStyle(el).getPropertyValue('--map-left')) || 0;
  // The layer switch and legend bar along the map's bottom edge covers it too.
  const controls = document.querySelector('[data-testid="map-controls"]')?.getBoundingClientRect();
  return {
    top: Math.max(margin, r.top - map.top),
    right: Math.max(margin, map.right - r.left + margin * s),
    bottom: controls ? Math.max(margin * s, map.bottom - controls.top + margin * s) : margin * s,
    left: left * s + margin * s,
  };
}

function IncidentBody({
  detail,
  fallback,
  unheld = null,
  lang,
  tz,
  photos,
  history,
}: {
  detail: IncidentDetail | null;
  fallback?: IncidentView;
  /** Replaying: nobody held the case at the instant since a 退单 (said so, with its time, not "未派单"). */
  unheld?: Unheld | null;
  lang: Lang;
  tz: string;
  /** The incident's pictures; re-read when its timeline grows. */
  photos?: (refreshKey: number) => React.ReactNode;
  /** 处置回放: shown under the facts, above the long parts (a wall is not scrolled). */
  history?: React.ReactNode;
}) {
  const i = detail?.incident ?? fallback;
  if (!i) return <div className={styles.empty}>…</div>;
  const lim = detail?.timeLimits;
  return (
    <>
      <h3 className={`${styles.drawerTitle} ${own.title}`} data-testid="drawer-title">
        <span className={styles.prio} data-p={i.priority}>
          {PRIORITY_LABELS[i.priority as 1][lang]}
        </span>
        {maskFreeText(i.title)}
      </h3>
      <Row k={t('category', lang)} v={CATEGORY_LABELS[i.category][lang]} />
      <Row k={t('source', lang)} v={SOURCE_LABELS[i.source][lang]} />
      <Row k={t('status', lang)} v={STATE_LABELS[i.state][lang]} testId="drawer-state" />
      <Row k={t('receivedAt', lang)} v={formatDateTime(i.receivedAt, tz)} testId="drawer-received-at" />
      {detail ? (
        <Row
          k={w('assignee', lang)}
          v={detail.incident.assigneeName ?? (unheld ? unheldLine(unheld, tz, lang) : w('unassigned', lang))}
          testId="drawer-assignee"
        />
      ) : null}
      {i.address ? <Row k={t('address', lang)} v={maskFreeText(i.address)} /> : null}
      {detail?.incident.reporter ? (
        <Row k={t('reporter', lang)} v={maskName(detail.incident.reporter)} />
      ) : null}
      {detail?.incident.phone ? <Row k={t('phone', lang)} v={maskPhone(detail.incident.phone)} /> : null}
      {photos?.(detail?.timeline.length ?? 0)}
      {history}
      {detail?.incident.detail ? (
        <p className={styles.drawerText}>{maskFreeText(detail.incident.detail)}</p>
      ) : null}
      {lim && lim.milestones.length > 0 ? (
        <>
          <h4>{t('limits', lang)}</h4>
          {lim.milestones.map((m) => (
            <div key={m.milestone} className={styles.kv}>
              <span>
                <i className={styles.lamp} style={{ background: LAMP_COLOR[m.lamp] }} />{' '}
                {milestoneLabel(m.milestone, lang)}
              </span>
              <b>
                {m.remainingMs < 0
                  ? `${t('overdueBy', lang)} ${formatDuration(-m.remainingMs, lang)}`
                  : `${t('remaining', lang)} ${formatDuration(m.remainingMs, lang)}`}
              </b>
            </div>
          ))}
        </>
      ) : null}
      {detail?.timeline.length ? (
        <>
          <h4>{t('timeline', lang)}</h4>
          <ol className={`${styles.timeline} ${own.timeline}`} data-testid="drawer-timeline">
            {detail.timeline.length > TIMELINE_SHOWN ? (
              <li className={own.who}>
                {w('earlier', lang)} {detail.timeline.length - TIMELINE_SHOWN}
              </li>
            ) : null}
            {detail.timeline.slice(-TIMELINE_SHOWN).map((e) => (
              <li key={e.id}>
                <time>{formatTime(e.at, tz, true)}</time> {timelineWhat(e, lang)}
                <span className={own.who}> · {timelineWho(e, lang)}</span>
                {e.note ? ` · ${maskFreeText(e.note)}` : ''}
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </>
  );
}

function EntityBody({
  kind,
  name,
  detail,
  lang,
  replayFacts,
}: {
  kind: 'vehicle' | 'camera';
  name: string | null;
  detail: EntityDetail | null;
  lang: Lang;
  /** Replaying: its state at the replay instant, in place of the live status, speed, age and video. */
  replayFacts?: React.ReactNode;
}) {
  const status = detail?.status ?? null;
  const label =
    detail?.isStale && detail.ageMs !== null
      ? CAMERA_STATUS_LABELS.stale[lang]
      : status
        ? kind === 'vehicle'
          ? VEHICLE_STATUS_LABELS[status as VehicleStatus]?.[lang]
          : CAMERA_STATUS_LABELS[status as CameraStatus]?.[lang]
        : '—';
  return (
    <>
      <h3 className={`${styles.drawerTitle} ${own.title}`} data-testid="drawer-title">
        {detail?.label ?? name ?? '…'}
      </h3>
      {/* The id stays for an operator who must quote it, small and secondary. */}
      <div className={own.secondary} data-testid="drawer-id">
        {w('id', lang)} {detail?.id ?? ''}
      </div>
      {kind === 'vehicle' ? (
        <Row
          k={w('department', lang)}
          v={detail?.departmentName ?? (detail?.departmentId ? detail.departmentId : '—')}
          testId="drawer-department"
        />
      ) : null}
      {kind === 'vehicle' && detail?.plate ? <Row k={w('plate', lang)} v={detail.plate} /> : null}
      {replayFacts ?? <LiveFacts kind={kind} label={label} detail={detail} lang={lang} />}
    </>
  );
}

function LiveFacts({
  kind,
  label,
  detail,
  lang,
}: {
  kind: 'vehicle' | 'camera';
  label: string | undefined;
  detail: EntityDetail | null;
  lang: Lang;
}) {
  return (
    <>
      <Row k={t('status', lang)} v={label} />
      {kind === 'vehicle' ? (
        <Row
          k={t('speed', lang)}
          v={detail?.speedKmh !== undefined ? `${Math.round(detail.speedKmh)} km/h` : '—'}
        />
      ) : null}
      <Row
        k={t('lastReport', lang)}
        v={detail ? formatAge(detail.ageMs ?? Number.POSITIVE_INFINITY, lang) : '—'}
      />
      {kind === 'camera' ? (
        detail?.streamUrl ? (
          <HlsPreview url={detail.streamUrl} />
        ) : (
          <div className={styles.empty}>{t('noStream', lang)}</div>
        )
      ) : null}
    </>
  );
}

/** Live preview of a camera's HLS stream; hls.js loads only when a preview is opened. */
function HlsPreview({ url }: { url: string }) {
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = video.current;
    if (!el) return;
    let hls: { destroy(): void } | null = null;
    let isCancelled = false;
    if (el.canPlayType('application/vnd.apple.mpegurl')) el.src = url;
    else
      void import('hls.js').then(({ default: Hls }) => {
        if (isCancelled || !Hls.isSupported()) return;
        // A short live buffer: a preview, not a recorder (memory stays flat on a 24/7 wall).
        const h = new Hls({ liveSyncDurationCount: 2, maxBufferLength: 10, backBufferLength: 0 });
        h.loadSource(url);
        h.attachMedia(el);
        hls = h;
      });
    return () => {
      isCancelled = true;
      hls?.destroy();
      el.removeAttribute('src');
    };
  }, [url]);
  return (
    <video ref={video} className={styles.video} muted autoPlay playsInline data-testid="camera-preview" />
  );
}
