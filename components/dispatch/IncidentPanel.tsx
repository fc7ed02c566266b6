'use client';

import { isSourceNumber } from '@/lib/dispatch/intake-key';
import { useState } from 'react';
import {
  CATEGORY_LABELS,
  PRIORITY_LABELS,
  SOURCE_LABELS,
  STATE_LABELS,
  type IncidentState,
  type Priority,
} from '@/lib/domain/enums';
import { NOTE_REQUIRED, TRANSITIONS, canTransition, type Role } from '@/lib/domain/incident-lifecycle';
import { timeLimitStatus, type TimeLimitConfig } from '@/lib/domain/time-limits';
import { timelineWhat, timelineWho } from '@/lib/names/timeline-text';
import { milestoneLabel, type Lang } from '@/lib/wall/i18n';
import { useLang } from '../i18n/use-lang';
import { useDisplayTz } from '../time/use-display-tz';
import { consoleFetch } from '../track/console-fetch';
import { PlaybackSection } from '../track/PlaybackSection';
import { IncidentExtras } from '../hotline/IncidentExtras';
import { IncidentPhotos } from '../photos/IncidentPhotos';
import { formatDuration, formatTime, type IncidentResponse } from './api';
import styles from './dispatch.module.css';

/** The button each target state gets (退单, 上报上级…); `dispatched` is reached by assigning instead. */
const ACTION_LABELS: Partial<Record<IncidentState, { zh: string; en: string }>> = {
  accepted: { zh: '受理', en: 'Accept' },
  on_scene: { zh: '到场', en: 'On scene' },
  resolved: { zh: '办结', en: 'Resolve' },
  closed: { zh: '结案', en: 'Close' },
  returned: { zh: '退单', en: 'Return' },
  escalated: { zh: '上报上级', en: 'Escalate' },
  cancelled: { zh: '作废', en: 'Cancel' },
};
const SUPERVISION_WORDS = [
  { zh: '撤销督办', en: 'Lift supervision' },
  { zh: '普通', en: 'Normal' },
  { zh: '黄牌', en: 'Yellow card' },
  { zh: '红牌', en: 'Red card' },
];
/** The panel's own words, Chinese first. */
const WORDS = {
  reportedAt: { zh: '上报', en: 'Reported' },
  sourceRef: { zh: '来源编号', en: 'Source no.' },
  receivedAt: { zh: '受理时间', en: 'Received' },
  reporter: { zh: '报告人', en: 'Reporter' },
  assignee: { zh: '处置单位', en: 'Assigned to' },
  unassigned: { zh: '未派单', en: 'Not assigned' },
  supervision: { zh: '督办', en: 'Supervision' },
  satisfaction: { zh: '满意度', en: 'Satisfaction' },
  limit: { zh: '时限', en: 'limit' },
  notePlaceholder: {
    zh: '处置说明 / 原因（退单、上报、作废须填写）',
    en: 'Note / reason (required to return, escalate or cancel)',
  },
  note: { zh: '说明', en: 'Note' },
  noteFirst: { zh: '请先填写原因', en: 'Write the reason first' },
  followUp: { zh: '回访满意度', en: 'Follow-up satisfaction' },
  followUpPick: { zh: '记录回访满意度…', en: 'Record satisfaction…' },
  points: { zh: '分', en: '/ 5' },
  supervisePick: { zh: '挂牌督办…', en: 'Supervise…' },
  timeline: { zh: '处置时间线', en: 'Timeline' },
} as const;
type WordKey = keyof typeof WORDS;
const wd = (key: WordKey, lang: Lang) => WORDS[key][lang];

interface Props {
  data: IncidentResponse;
  role: Role;
  busy: boolean;
  now: number;
  limits: TimeLimitConfig;
  onTransition(to: IncidentState, note: string): void;
  onSupervise(level: number, note: string): void;
  onFollowUp(satisfaction: number, note: string): void;
}

export function IncidentPanel({
  data,
  role,
  busy,
  now,
  limits,
  onTransition,
  onSupervise,
  onFollowUp,
}: Props) {
  const [note, setNote] = useState('');
  const [lang] = useLang();
  const tz = useDisplayTz();
  const { incident: inc, timeline } = data;
  // Recomputed every second from the same pure rules the server uses, so the countdown moves.
  const timeLimits = timeLimitStatus(inc, now, limits);
  const targets = TRANSITIONS[inc.state].filter((to) => canTransition(role, inc.state, to));
  return (
    <div className={styles.detail} data-testid="incident-detail" data-state={inc.state}>
      <div className={styles.row}>
        <h2 style={{ margin: '4px 0', fontSize: 18, overflowWrap: 'anywhere' }} data-testid="incident-title">
          {inc.title}
        </h2>
        <span className={styles.badge} data-testid="incident-state">
          {STATE_LABELS[inc.state][lang]}
        </span>
      </div>
      <div className={styles.muted}>
        {PRIORITY_LABELS[inc.priority as Priority]?.[lang]} · {CATEGORY_LABELS[inc.category][lang]} ·{' '}
        {SOURCE_LABELS[inc.source][lang]} ·{' '}
        {/* The number the source's operator quotes (12345 工单号, 110 警情号); not 接警登记's own key. */}
        {isSourceNumber(inc.sourceRef) && (
          <>
            <span data-testid="incident-source-ref">
              {wd('sourceRef', lang)} <span style={{ fontFamily: 'monospace' }}>{inc.sourceRef}</span>
            </span>{' '}
            ·{' '}
          </>
        )}
        {wd('reportedAt', lang)} {formatTime(inc.reportedAt, tz)}
      </div>
      <div className={styles.muted}>
        {wd('receivedAt', lang)}{' '}
        <span data-testid="incident-received-at">{formatTime(inc.receivedAt, tz)}</span>
      </div>
      <div>{inc.address ?? `${inc.lng.toFixed(5)}, ${inc.lat.toFixed(5)}`}</div>
      {inc.detail && <p style={{ whiteSpace: 'pre-wrap' }}>{inc.detail}</p>}
      {(inc.reporter || inc.phone) && (
        <div className={styles.muted}>
          {wd('reporter', lang)}: {inc.reporter ?? '—'} {inc.phone ?? ''}
        </div>
      )}
      {/* Its own key: a sibling keyed by the bare id (another section) would make React mix the two up. */}
      <IncidentExtras
        key={`extras-${inc.id}`}
        incidentId={inc.id}
        source={inc.source}
        role={role}
        lang={lang}
        tz={tz}
      />
      {/* Worker's, department's and alarm's pictures; re-read when the incident moves (a 反馈 is a step). */}
      <IncidentPhotos
        key={`photos-${inc.id}`}
        incidentId={inc.id}
        lang={lang}
        tz={tz}
        fetcher={consoleFetch}
        size="console"
        refreshKey={`${inc.updatedAt}:${timeline.length}`}
      />
      <div>
        {wd('assignee', lang)}:{' '}
        {inc.assigneeId ? (
          <>
            <b data-testid="incident-assignee">{inc.assigneeName ?? inc.assigneeId}</b>{' '}
            {/* The id, for an operator who must quote it (radio, phone): small and secondary. */}
            <span className={styles.muted} style={{ fontSize: 12 }} data-testid="incident-assignee-id">
              {inc.assigneeId}
            </span>
          </>
        ) : (
          wd('unassigned', lang)
        )}
        {inc.supervision > 0 && (
          <span className={styles.badge}>
            {' '}
            {wd('supervision', lang)}: {SUPERVISION_WORDS[inc.supervision]?.[lang]}
          </span>
        )}
        {inc.satisfaction !== null && (
          <span className={styles.badge}>
            {' '}
            {wd('satisfaction', lang)} {inc.satisfaction}/5
          </span>
        )}
      </div>
      <div className={styles.section}>
        {timeLimits.milestones.map((m) => (
          <span key={m.milestone} style={{ marginRight: 12 }}>
            <span className={`${styles.lamp} ${styles[`lamp_${m.lamp}`]}`} />
            {milestoneLabel(m.milestone, lang)}
            {lang === 'zh' ? '' : ' '}
            {wd('limit', lang)} {formatDuration(m.remainingMs, lang)}
          </span>
        ))}
      </div>

      <textarea
        className={styles.textarea}
        placeholder={wd('notePlaceholder', lang)}
        value={note}
        onChange={(e) => setNote(e.target.value)}
        aria-label={wd('note', lang)}
        maxLength={1000}
      />
      <div className={styles.actions}>
        {targets.map((to) => (
          <button
            key={to}
            className={`${styles.button} ${to === 'cancelled' || to === 'returned' ? styles.buttonDanger : ''}`}
            disabled={busy || (NOTE_REQUIRED.has(to) && !note.trim())}
            title={NOTE_REQUIRED.has(to) && !note.trim() ? wd('noteFirst', lang) : undefined}
            data-testid={`transition-${to}`}
            onClick={() => {
              onTransition(to, note);
              setNote('');
            }}
          >
            {ACTION_LABELS[to]?.[lang] ?? STATE_LABELS[to][lang]}
          </button>
        ))}
        {role === 'dispatcher' && (inc.state === 'resolved' || inc.state === 'closed') && (
          <select
            className={styles.select}
            aria-label={wd('followUp', lang)}
            value=""
            disabled={busy}
            onChange={(e) => e.target.value && onFollowUp(Number(e.target.value), note)}
          >
            <option value="">{wd('followUpPick', lang)}</option>
            {[5, 4, 3, 2, 1].map((s) => (
              <option key={s} value={s}>
                {s} {wd('points', lang)}
              </option>
            ))}
          </select>
        )}
        {role === 'leader' && inc.state !== 'closed' && inc.state !== 'cancelled' && (
          <select
            className={styles.select}
            aria-label={wd('supervision', lang)}
            value=""
            disabled={busy}
            onChange={(e) => e.target.value && onSupervise(Number(e.target.value), note)}
          >
            <option value="">{wd('supervisePick', lang)}</option>
            {[1, 2, 3, 0].map((l) => (
              <option key={l} value={l}>
                {SUPERVISION_WORDS[l]![lang]}
              </option>
            ))}
          </select>
        )}
      </div>

      <PlaybackSection
        key={`playback-${inc.id}`}
        incidentId={inc.id}
        lang={lang}
        tz={tz}
        fetcher={consoleFetch}
      />

      <div className={styles.sectionTitle}>{wd('timeline', lang)}</div>
      <ol className={styles.timeline} data-testid="timeline">
        {timeline.map((e) => (
          <li key={e.id}>
            <span className={styles.muted}>{formatTime(e.at, tz)}</span> {timelineWhat(e, lang)} ·{' '}
            <span title={e.actor}>{timelineWho(e, lang)}</span>
            {e.note && <div>{e.note}</div>}
          </li>
        ))}
      </ol>
    </div>
  );
}
