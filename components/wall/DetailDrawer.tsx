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
  type IncidentState,
  type VehicleStatus,
} from '@/lib/domain/enums';
import type { IncidentView } from '@/lib/domain/incident';
import type { TimeLimitStatus } from '@/lib/domain/time-limits';
import { cstClock, formatAge, formatDuration, maskFreeText, maskName, maskPhone } from '@/lib/wall/format';
import { milestoneLabel, t, type Lang } from '@/lib/wall/i18n';
import { LAMP_COLOR } from '@/lib/wall/palette';
import { wallFetch } from './use-wall-data';
import styles from './wall.module.css';

export type Selection =
  | { kind: 'incident'; id: string; view?: IncidentView }
  | { kind: 'vehicle' | 'camera'; id: string; name: string | null };

interface IncidentDetail {
  incident: IncidentView & { detail: string | null; reporter: string | null; phone: string | null };
  timeLimits: TimeLimitStatus;
  timeline: {
    id: number;
    at: number;
    actor: string;
    type: string;
    toState: string | null;
    note: string | null;
  }[];
}

interface EntityDetail {
  id: string;
  name?: string | null;
  kind?: string | null;
  departmentId?: string | null;
  status: string | null;
  speedKmh?: number;
  ageMs: number | null;
  isStale: boolean;
  streamUrl?: string | null;
}

/** Re-read the selected item's details this often while the drawer is open. */
const DETAIL_REFRESH_MS = 5_000;

export function DetailDrawer({
  selection,
  lang,
  onClose,
}: {
  selection: Selection;
  lang: Lang;
  onClose: () => void;
}) {
  const [data, setData] = useState<IncidentDetail | EntityDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const path =
    selection.kind === 'incident' ? 'incidents' : selection.kind === 'vehicle' ? 'vehicles' : 'cameras';

  useEffect(() => {
    let isCancelled = false;
    setData(null);
    setError(null);
    const load = async () => {
      try {
        const r = await wallFetch(`/api/${path}/${encodeURIComponent(selection.id)}`);
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
    <aside className={styles.drawer} data-testid="detail-drawer" data-kind={selection.kind}>
      <button className={styles.drawerClose} onClick={onClose} aria-label={t('close', lang)}>
        ×
      </button>
      {selection.kind === 'incident' ? (
        <IncidentBody detail={data as IncidentDetail | null} fallback={selection.view} lang={lang} />
      ) : (
        <EntityBody
          kind={selection.kind}
          name={selection.name}
          detail={data as EntityDetail | null}
          lang={lang}
        />
      )}
      {error ? <div className={styles.drawerError}>{error}</div> : null}
    </aside>
  );
}

function Row({ k, v }: { k: string; v: React.ReactNode }) {
  return (
    <div className={styles.kv}>
      <span>{k}</span>
      <b>{v}</b>
    </div>
  );
}

function IncidentBody({
  detail,
  fallback,
  lang,
}: {
  detail: IncidentDetail | null;
  fallback?: IncidentView;
  lang: Lang;
}) {
  const i = detail?.incident ?? fallback;
  if (!i) return <div className={styles.empty}>…</div>;
  const lim = detail?.timeLimits;
  return (
    <>
      <h3 className={styles.drawerTitle}>
        <span className={styles.prio} data-p={i.priority}>
          {PRIORITY_LABELS[i.priority as 1][lang]}
        </span>
        {maskFreeText(i.title)}
      </h3>
      <Row k={t('category', lang)} v={CATEGORY_LABELS[i.category][lang]} />
      <Row k={t('source', lang)} v={SOURCE_LABELS[i.source][lang]} />
      <Row k={t('status', lang)} v={STATE_LABELS[i.state][lang]} />
      <Row k={t('receivedAt', lang)} v={`${cstClock(i.receivedAt).date} ${cstClock(i.receivedAt).time}`} />
      {i.address ? <Row k={t('address', lang)} v={maskFreeText(i.address)} /> : null}
      {detail?.incident.reporter ? (
        <Row k={t('reporter', lang)} v={maskName(detail.incident.reporter)} />
      ) : null}
      {detail?.incident.phone ? <Row k={t('phone', lang)} v={maskPhone(detail.incident.phone)} /> : null}
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
          <ol className={styles.timeline}>
            {detail.timeline.map((e) => (
              <li key={e.id}>
                <time>{cstClock(e.at).time}</time>{' '}
                {e.toState ? (STATE_LABELS[e.toState as IncidentState]?.[lang] ?? e.toState) : e.type}
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
}: {
  kind: 'vehicle' | 'camera';
  name: string | null;
  detail: EntityDetail | null;
  lang: Lang;
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
      <h3 className={styles.drawerTitle}>{detail?.name ?? name ?? detail?.id ?? '…'}</h3>
      {kind === 'vehicle' ? <Row k={t('unit', lang)} v={detail?.departmentId ?? '—'} /> : null}
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
