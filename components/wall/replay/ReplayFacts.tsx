'use client';

import type { ReactNode } from 'react';
import {
  CAMERA_STATUS_LABELS,
  PRIORITY_LABELS,
  STATE_LABELS,
  VEHICLE_STATUS_LABELS,
  type CameraStatus,
  type VehicleStatus,
} from '@/lib/domain/enums';
import type { IncidentView } from '@/lib/domain/incident';
import type { UnitAt } from '@/lib/history/replay-detail';
import { STALE_AFTER_MS } from '@/lib/realtime/contract';
import { formatTime } from '@/lib/time/display-time';
import { formatAge, maskFreeText } from '@/lib/wall/format';
import { t, type Lang } from '@/lib/wall/i18n';
import drawer from '../DetailDrawer.module.css';
import wall from '../wall.module.css';
import { rt } from './replay-words';
import styles from './replay.module.css';

function Row({ k, v, testId }: { k: string; v: ReactNode; testId?: string }) {
  return (
    <div className={`${wall.kv} ${drawer.kv}`}>
      <span>{k}</span>
      <b data-testid={testId}>{v}</b>
    </div>
  );
}

/**
 * The drawer's replay stamp: which instant it shows, in amber like the rest of replay, so nobody reads the
 * past as now. It ticks with the replay clock.
 */
export function ReplayAsOf({ at, tz, lang }: { at: number; tz: string; lang: Lang }) {
  return (
    <div className={styles.asOf} data-testid="drawer-replay-at" data-at={Math.round(at)}>
      <b>
        {rt('asOf', lang)} <time>{formatTime(at, tz, true)}</time>
      </b>
      <span>{rt('asOfNote', lang)}</span>
    </div>
  );
}

/**
 * A vehicle's or camera's state at the replay instant, from the replayed frame (what the map shows there):
 * status, speed, position, when it last reported before then, and the incident it was handling then.
 * `unit` undefined: the drawer was opened without a frame position to read (a search result whose idx the
 * server could not be asked for).
 */
export function ReplayUnitFacts({
  kind,
  unit,
  at,
  handling,
  lang,
  tz,
  onOpenIncident,
}: {
  kind: 'vehicle' | 'camera';
  unit: UnitAt | null | undefined;
  at: number;
  handling: readonly IncidentView[];
  lang: Lang;
  tz: string;
  onOpenIncident?: (id: string) => void;
}) {
  if (unit === undefined) return <p className={styles.factNote}>{rt('pickOnMap', lang)}</p>;
  if (unit === null) return <p className={styles.factNote}>{rt('notInFrame', lang)}</p>;
  const age = unit.reportedAt === null ? Number.POSITIVE_INFINITY : at - unit.reportedAt;
  const label =
    age > STALE_AFTER_MS[kind]
      ? CAMERA_STATUS_LABELS.stale[lang]
      : kind === 'vehicle'
        ? (VEHICLE_STATUS_LABELS[unit.status as VehicleStatus]?.[lang] ?? '—')
        : (CAMERA_STATUS_LABELS[unit.status as CameraStatus]?.[lang] ?? '—');
  return (
    <>
      <Row k={t('status', lang)} v={label} testId="drawer-status" />
      {kind === 'vehicle' ? (
        <Row
          k={t('speed', lang)}
          v={unit.speedKmh === null ? '—' : `${unit.speedKmh} km/h`}
          testId="drawer-speed"
        />
      ) : null}
      <Row
        k={rt('position', lang)}
        v={`${unit.lng.toFixed(5)}, ${unit.lat.toFixed(5)}`}
        testId="drawer-position"
      />
      <Row k={t('lastReport', lang)} v={formatAge(age, lang)} />
      {kind === 'vehicle' ? (
        <div className={styles.handling} data-testid="drawer-handling">
          <span>{rt('handlingThen', lang)}</span>
          {handling.length === 0 ? (
            <b>{rt('none', lang)}</b>
          ) : (
            handling.map((i) => (
              <button
                key={i.id}
                onClick={() => onOpenIncident?.(i.id)}
                data-testid="drawer-handling-incident"
              >
                <time>{formatTime(i.reportedAt, tz)}</time>
                <i data-p={i.priority}>{PRIORITY_LABELS[i.priority as 1]?.[lang] ?? i.priority}</i>
                {maskFreeText(i.title)}
                <em>{STATE_LABELS[i.state][lang]}</em>
              </button>
            ))
          )}
        </div>
      ) : (
        <p className={styles.factNote}>{rt('noLiveVideo', lang)}</p>
      )}
    </>
  );
}
