'use client';

import { DEPARTMENT_KIND_LABELS, VEHICLE_KIND_LABELS, fitReasonLabel } from '@/lib/domain/dispatch-fit';
import { CAMERA_STATUS_LABELS } from '@/lib/domain/enums';
import type { UnitRecommendation } from '@/lib/dispatch/api-types';
import type { Lang } from '@/lib/wall/i18n';
import { useLang } from '../i18n/use-lang';
import { useDisplayTz } from '../time/use-display-tz';
import { consoleFetch } from '../track/console-fetch';
import { TrackSection } from '../track/TrackSection';
import { useState } from 'react';
import type { Recommendations } from './api';
import styles from './dispatch.module.css';

interface Props {
  recs: Recommendations | null;
  canAssign: boolean;
  busy: boolean;
  onAssign(kind: 'vehicle' | 'worker' | 'department', id: string): void;
  /** Opens an incident a unit's track lists. */
  onOpenIncident?: (id: string) => void;
}

/** The panel's own words, Chinese first. */
const WORDS = {
  pickFirst: { zh: '选择事件后显示推荐', en: 'Select an incident to see recommendations' },
  vehicle: { zh: '车辆', en: 'Vehicle' },
  worker: { zh: '网格员', en: 'Grid worker' },
  first: { zh: '首选', en: 'First' },
  straightLine: { zh: '（直线估算）', en: ' (straight-line estimate)' },
  assign: { zh: '派单', en: 'Assign' },
  track: { zh: '轨迹', en: 'Track' },
  notFit: { zh: '不对口 · 仅供参考', en: 'Not a match · for reference' },
  vehicles: { zh: '推荐车辆（对口优先 · 按行程时间）', en: 'Vehicles (matching first · by travel time)' },
  noVehicles: { zh: '附近无对口的可用车辆', en: 'No matching vehicle available nearby' },
  workers: { zh: '在岗网格员', en: 'Grid workers on duty' },
  noWorkers: { zh: '附近无对口的在岗网格员', en: 'No matching grid worker on duty nearby' },
  departments: { zh: '责任部门（中心吹哨、部门报到）', en: 'Responsible departments' },
  noDepartments: { zh: '无对应部门', en: 'No matching department' },
  cameras: { zh: '周边视频点位', en: 'Cameras nearby' },
  noCameras: { zh: '500 米内无视频点位', en: 'No camera within 500 m' },
} as const;
const wd = (key: keyof typeof WORDS, lang: Lang) => WORDS[key][lang];

function travel(s: number, lang: Lang): string {
  if (lang === 'en') return s < 60 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`;
  return s < 60 ? `${Math.round(s)} 秒` : `${Math.round(s / 60)} 分钟`;
}

function distance(m: number, lang: Lang): string {
  if (lang === 'en') return m < 1000 ? `${m} m` : `${(m / 1000).toFixed(1)} km`;
  return m < 1000 ? `${m} 米` : `${(m / 1000).toFixed(1)} 公里`;
}

/** A unit fits unless the server says otherwise (an older server sends no `fit`). */
const isFit = (u: { fit?: { isFit: boolean } }) => u.fit?.isFit !== false;

/**
 * Units that fit the incident (对口) by travel time, then the few that do not, muted under their own heading;
 * each row names the unit (name, plate, kind, owner), its travel time and distance, and why it fits. The
 * first fitting unit is the 首选 that Enter dispatches.
 */
export function RecommendationPanel({ recs, canAssign, busy, onAssign, onOpenIncident }: Props) {
  const [lang] = useLang();
  const tz = useDisplayTz();
  /** The unit whose track (轨迹回放) is shown above the lists and on the map. */
  const [trackOf, setTrackOf] = useState<{ kind: 'vehicle' | 'worker'; id: string; name: string } | null>(
    null,
  );
  if (!recs) return <div className={styles.muted}>{wd('pickFirst', lang)}</div>;

  const unitRow = (kind: 'vehicle' | 'worker', u: UnitRecommendation, isFirst: boolean) => {
    const kindLabel =
      kind === 'vehicle'
        ? u.kind
          ? (VEHICLE_KIND_LABELS[u.kind]?.[lang] ?? u.kind)
          : wd('vehicle', lang)
        : wd('worker', lang);
    const who = [u.plate, kindLabel, u.owner].filter(Boolean).join(' · ');
    const why = fitReasonLabel(u.fit, lang);
    return (
      <div
        key={u.id}
        className={`${styles.rec} ${isFit(u) ? '' : styles.recNotFit}`}
        data-testid={`rec-${kind}-${u.id}`}
        data-fit={isFit(u) ? 'yes' : 'no'}
      >
        <div className={styles.recMain}>
          <div className={styles.recName}>
            {isFirst && <span className={styles.first}>{wd('first', lang)}</span>}
            <span className={styles.recNameText} title={u.name ?? u.id}>
              {u.name ?? u.plate ?? u.id}
            </span>
          </div>
          <div className={styles.recSub} title={who}>
            {who}
          </div>
          <div className={styles.recSub}>
            {travel(u.travelTimeS, lang)} · {distance(u.distanceM, lang)}
            {u.method === 'straight_line' ? wd('straightLine', lang) : ''}
            {why && (
              <>
                {' · '}
                <span className={isFit(u) ? styles.fitTag : styles.notFitTag} data-testid="fit-reason">
                  {why}
                </span>
              </>
            )}
          </div>
        </div>
        <button
          className={`${styles.button} ${styles.assign}`}
          aria-pressed={trackOf?.kind === kind && trackOf.id === u.id}
          data-testid={`track-${kind}-${u.id}`}
          onClick={() => setTrackOf({ kind, id: u.id, name: u.name ?? u.plate ?? u.id })}
        >
          {wd('track', lang)}
        </button>
        <button
          className={`${styles.button} ${styles.assign} ${isFirst ? styles.buttonPrimary : ''}`}
          disabled={!canAssign || busy}
          data-testid={`assign-${kind}-${u.id}`}
          onClick={() => onAssign(kind, u.id)}
        >
          {wd('assign', lang)}
        </button>
      </div>
    );
  };

  const unitList = (kind: 'vehicle' | 'worker', units: UnitRecommendation[], empty: string) => {
    const fitting = units.filter(isFit);
    const others = units.filter((u) => !isFit(u));
    return (
      <>
        {fitting.length === 0 && <div className={styles.muted}>{empty}</div>}
        {fitting.map((u, k) => unitRow(kind, u, k === 0))}
        {others.length > 0 && <div className={styles.notFitHead}>{wd('notFit', lang)}</div>}
        {others.map((u) => unitRow(kind, u, false))}
      </>
    );
  };

  return (
    <div>
      {trackOf ? (
        <TrackSection
          key={`${trackOf.kind}:${trackOf.id}`}
          kind={trackOf.kind}
          id={trackOf.id}
          title={trackOf.name}
          lang={lang}
          tz={tz}
          fetcher={consoleFetch}
          startOpen
          onClose={() => setTrackOf(null)}
          onOpenIncident={onOpenIncident}
        />
      ) : null}
      <div className={styles.section}>
        <div className={styles.sectionTitle}>{wd('vehicles', lang)}</div>
        {unitList('vehicle', recs.vehicles, wd('noVehicles', lang))}
      </div>
      <div className={styles.section}>
        <div className={styles.sectionTitle}>{wd('workers', lang)}</div>
        {unitList('worker', recs.workers, wd('noWorkers', lang))}
      </div>
      <div className={styles.section}>
        <div className={styles.sectionTitle}>{wd('departments', lang)}</div>
        {recs.departments.length === 0 && <div className={styles.muted}>{wd('noDepartments', lang)}</div>}
        {recs.departments.map((d) => (
          <div key={d.id} className={styles.rec} data-testid={`rec-department-${d.id}`}>
            <div className={styles.recMain}>
              <div className={styles.recName}>
                <span className={styles.recNameText} title={d.name}>
                  {d.name}
                </span>
              </div>
              <div className={styles.recSub}>
                {DEPARTMENT_KIND_LABELS[d.kind]?.[lang] ?? d.kind}
                {d.phone ? ` · ${d.phone}` : ''}
                {d.fit?.reason && (
                  <>
                    {' · '}
                    <span className={styles.fitTag} data-testid="fit-reason">
                      {fitReasonLabel(d.fit, lang)}
                    </span>
                  </>
                )}
              </div>
            </div>
            <button
              className={`${styles.button} ${styles.assign}`}
              disabled={!canAssign || busy}
              data-testid={`assign-department-${d.id}`}
              onClick={() => onAssign('department', d.id)}
            >
              {wd('assign', lang)}
            </button>
          </div>
        ))}
      </div>
      <div className={styles.section}>
        <div className={styles.sectionTitle}>{wd('cameras', lang)}</div>
        {recs.cameras.length === 0 && <div className={styles.muted}>{wd('noCameras', lang)}</div>}
        {recs.cameras.map((c) => (
          <div key={c.id} className={styles.row}>
            <span className={styles.recNameText}>{c.name ?? c.id}</span>
            <span className={styles.muted} style={{ flex: 'none' }}>
              {distance(c.distanceM, lang)} ·{' '}
              {CAMERA_STATUS_LABELS[c.status as keyof typeof CAMERA_STATUS_LABELS]?.[lang] ?? c.status}
            </span>
          </div>
        ))}
      </div>
    </div>
  );
}
