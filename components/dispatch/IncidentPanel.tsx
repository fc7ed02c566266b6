'use client';

import { useState } from 'react';
import {
  CATEGORY_LABELS,
  PRIORITY_LABELS,
  SOURCE_LABELS,
  STATE_LABELS,
  type IncidentState,
  type Priority,
} from '@/lib/domain/enums';
import {
  NOTE_REQUIRED,
  SUPERVISION_LABELS,
  TRANSITIONS,
  canTransition,
  type Role,
} from '@/lib/domain/incident-lifecycle';
import { MILESTONE_LABELS, timeLimitStatus, type TimeLimitConfig } from '@/lib/domain/time-limits';
import { formatDuration, formatTime, type IncidentResponse } from './api';
import styles from './dispatch.module.css';

/** The button each target state gets (退单, 上报上级…); `dispatched` is reached by assigning instead. */
const ACTION_LABELS: Partial<Record<IncidentState, string>> = {
  accepted: '受理',
  on_scene: '到场',
  resolved: '办结',
  closed: '结案',
  returned: '退单',
  escalated: '上报上级',
  cancelled: '作废',
};
const EVENT_LABELS: Record<string, string> = {
  reported: '上报',
  transition: '状态',
  assign: '派单',
  supervise: '督办',
  follow_up: '回访',
  note: '备注',
};

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
  const { incident: inc, timeline } = data;
  // Recomputed every second from the same pure rules the server uses, so the countdown moves.
  const timeLimits = timeLimitStatus(inc, now, limits);
  const targets = TRANSITIONS[inc.state].filter((to) => canTransition(role, inc.state, to));
  return (
    <div className={styles.detail} data-testid="incident-detail" data-state={inc.state}>
      <div className={styles.row}>
        <h2 style={{ margin: '4px 0', fontSize: 18 }}>{inc.title}</h2>
        <span className={styles.badge} data-testid="incident-state">
          {STATE_LABELS[inc.state].zh}
        </span>
      </div>
      <div className={styles.muted}>
        {PRIORITY_LABELS[inc.priority as Priority]?.zh} · {CATEGORY_LABELS[inc.category].zh} ·{' '}
        {SOURCE_LABELS[inc.source].zh} · 上报 {formatTime(inc.reportedAt)}
      </div>
      <div>{inc.address ?? `${inc.lng.toFixed(5)}, ${inc.lat.toFixed(5)}`}</div>
      {inc.detail && <p style={{ whiteSpace: 'pre-wrap' }}>{inc.detail}</p>}
      {(inc.reporter || inc.phone) && (
        <div className={styles.muted}>
          报告人：{inc.reporter ?? '—'} {inc.phone ?? ''}
        </div>
      )}
      <div>
        处置单位：
        {inc.assigneeId
          ? `${inc.assigneeKind === 'vehicle' ? '车辆' : inc.assigneeKind === 'worker' ? '网格员' : '部门'} ${inc.assigneeId}`
          : '未派单'}
        {inc.supervision > 0 && (
          <span className={styles.badge}> 督办：{SUPERVISION_LABELS[inc.supervision]}</span>
        )}
        {inc.satisfaction !== null && <span className={styles.badge}> 满意度 {inc.satisfaction}/5</span>}
      </div>
      <div className={styles.section}>
        {timeLimits.milestones.map((m) => (
          <span key={m.milestone} style={{ marginRight: 12 }}>
            <span className={`${styles.lamp} ${styles[`lamp_${m.lamp}`]}`} />
            {MILESTONE_LABELS[m.milestone]}时限 {formatDuration(m.remainingMs)}
          </span>
        ))}
      </div>

      <textarea
        className={styles.textarea}
        placeholder="处置说明 / 原因（退单、上报、作废须填写）"
        value={note}
        onChange={(e) => setNote(e.target.value)}
        aria-label="说明"
        maxLength={1000}
      />
      <div className={styles.actions}>
        {targets.map((to) => (
          <button
            key={to}
            className={`${styles.button} ${to === 'cancelled' || to === 'returned' ? styles.buttonDanger : ''}`}
            disabled={busy || (NOTE_REQUIRED.has(to) && !note.trim())}
            title={NOTE_REQUIRED.has(to) && !note.trim() ? '请先填写原因' : undefined}
            data-testid={`transition-${to}`}
            onClick={() => {
              onTransition(to, note);
              setNote('');
            }}
          >
            {ACTION_LABELS[to] ?? STATE_LABELS[to].zh}
          </button>
        ))}
        {role === 'dispatcher' && (inc.state === 'resolved' || inc.state === 'closed') && (
          <select
            className={styles.select}
            aria-label="回访满意度"
            value=""
            disabled={busy}
            onChange={(e) => e.target.value && onFollowUp(Number(e.target.value), note)}
          >
            <option value="">记录回访满意度…</option>
            {[5, 4, 3, 2, 1].map((s) => (
              <option key={s} value={s}>
                {s} 分
              </option>
            ))}
          </select>
        )}
        {role === 'leader' && inc.state !== 'closed' && inc.state !== 'cancelled' && (
          <select
            className={styles.select}
            aria-label="督办"
            value=""
            disabled={busy}
            onChange={(e) => e.target.value && onSupervise(Number(e.target.value), note)}
          >
            <option value="">挂牌督办…</option>
            {[1, 2, 3, 0].map((l) => (
              <option key={l} value={l}>
                {l === 0 ? '撤销督办' : SUPERVISION_LABELS[l]}
              </option>
            ))}
          </select>
        )}
      </div>

      <div className={styles.sectionTitle}>处置时间线</div>
      <ol className={styles.timeline} data-testid="timeline">
        {timeline.map((e) => (
          <li key={e.id}>
            <span className={styles.muted}>{formatTime(e.at)}</span> {EVENT_LABELS[e.type] ?? e.type} ·{' '}
            {e.actor}
            {e.toState &&
              e.fromState !== e.toState &&
              ` → ${STATE_LABELS[e.toState as IncidentState]?.zh ?? e.toState}`}
            {e.data && typeof e.data.assigneeId === 'string' && ` (${e.data.assigneeId})`}
            {e.note && <div>{e.note}</div>}
          </li>
        ))}
      </ol>
    </div>
  );
}
