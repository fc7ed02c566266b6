'use client';

import { CATEGORY_LABELS, PRIORITY_LABELS } from '@/lib/domain/enums';
import type { IncidentView } from '@/lib/domain/incident';
import { formatTime } from '@/lib/time/display-time';
import { maskFreeText } from '@/lib/wall/format';
import { t, type Lang } from '@/lib/wall/i18n';
import styles from './banners.module.css';

/** Alarms shown at once; the rest wait their turn below a count (the banner must not cover the map). */
const ALARM_ROWS = 3;

/**
 * New 特急/紧急 incidents, newest first, each until a person acknowledges it (确认). Clicking a row opens
 * its details; acknowledging is a separate, deliberate button.
 */
export function AlarmBanner({
  pending,
  lang,
  tz,
  placeOf,
  onOpen,
  onAcknowledge,
}: {
  pending: readonly IncidentView[];
  lang: Lang;
  tz: string;
  /** Where it is, in words: the address, else the region's name. */
  placeOf: (i: IncidentView) => string;
  onOpen: (id: string) => void;
  onAcknowledge: (id?: string) => void;
}) {
  if (pending.length === 0) return null;
  const more = pending.length - ALARM_ROWS;
  return (
    <div className={styles.alarm} role="alert" data-testid="alarm">
      {pending.slice(0, ALARM_ROWS).map((i) => (
        <div key={i.id} className={styles.alarmRow} data-priority={i.priority} data-incident-id={i.id}>
          <span className={styles.alarmBadge} data-p={i.priority}>
            ⚠ {PRIORITY_LABELS[i.priority as 1][lang]}
          </span>
          <button className={styles.alarmText} onClick={() => onOpen(i.id)}>
            <b>{maskFreeText(i.title)}</b>
            <span>{CATEGORY_LABELS[i.category][lang]}</span>
            <span>{maskFreeText(placeOf(i))}</span>
            <time>{formatTime(i.receivedAt, tz)}</time>
          </button>
          <button className={styles.ack} onClick={() => onAcknowledge(i.id)} data-testid="alarm-ack">
            {t('acknowledge', lang)}
          </button>
        </div>
      ))}
      {more > 0 ? (
        <div className={styles.alarmMore}>
          <span>{t('moreAlarms', lang).replace('{n}', String(more))}</span>
          <button className={styles.ack} onClick={() => onAcknowledge()} data-testid="alarm-ack-all">
            {t('acknowledgeAll', lang)}
          </button>
        </div>
      ) : null}
    </div>
  );
}

/**
 * What an unauthorised wall offers instead of a dead end: sign in (and come back here), or for an
 * unattended screen, the display-token way in.
 */
export function AccessNotice({ lang, loginHref }: { lang: Lang; loginHref: string }) {
  return (
    <div className={styles.access} data-testid="access-notice">
      <b>{t('accessTitle', lang)}</b>
      <p>
        {t('accessLogin', lang)}{' '}
        <a href={loginHref} data-testid="login-link">
          {t('signIn', lang)} →
        </a>
      </p>
      <p className={styles.accessHint}>{t('accessToken', lang)}</p>
    </div>
  );
}
