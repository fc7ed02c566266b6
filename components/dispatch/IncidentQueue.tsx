'use client';

import {
  CATEGORY_LABELS,
  INCIDENT_CATEGORIES,
  INCIDENT_STATES,
  PRIORITY_LABELS,
  STATE_LABELS,
  type Priority,
} from '@/lib/domain/enums';
import type { IncidentView } from '@/lib/domain/incident';
import type { QueueFilter } from '@/lib/dispatch/incident-list';
import { SUPERVISION_LABELS } from '@/lib/domain/incident-lifecycle';
import { timeLimitStatus, type TimeLimitConfig } from '@/lib/domain/time-limits';
import { formatDuration } from './api';
import styles from './dispatch.module.css';

interface Props {
  queue: IncidentView[];
  filter: QueueFilter;
  onFilter(f: QueueFilter): void;
  selectedId: string | null;
  onSelect(id: string): void;
  now: number;
  limits: TimeLimitConfig;
}

/** The queue of open incidents, most urgent first. ↑/↓ (or j/k) move the selection. */
export function IncidentQueue({ queue, filter, onFilter, selectedId, onSelect, now, limits }: Props) {
  return (
    <section className={styles.panel} aria-label="事件队列">
      <div className={styles.filters}>
        <select
          className={styles.select}
          aria-label="类别"
          value={filter.category}
          onChange={(e) => onFilter({ ...filter, category: e.target.value as QueueFilter['category'] })}
        >
          <option value="">全部类别</option>
          {INCIDENT_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {CATEGORY_LABELS[c].zh}
            </option>
          ))}
        </select>
        <select
          className={styles.select}
          aria-label="状态"
          value={filter.state}
          onChange={(e) => onFilter({ ...filter, state: e.target.value as QueueFilter['state'] })}
        >
          <option value="">全部状态</option>
          {INCIDENT_STATES.filter((s) => s !== 'closed' && s !== 'cancelled').map((s) => (
            <option key={s} value={s}>
              {STATE_LABELS[s].zh}
            </option>
          ))}
        </select>
        <input
          className={styles.input}
          style={{ gridColumn: '1 / -1' }}
          aria-label="区域代码"
          placeholder="区域代码（区/街道/社区/网格）"
          value={filter.region}
          onChange={(e) => onFilter({ ...filter, region: e.target.value.trim() })}
        />
      </div>
      <div className={styles.muted}>共 {queue.length} 件 · ↑↓ 选择 · Enter 派首选车辆</div>
      <ul className={styles.queue} role="listbox" aria-label="待处置事件">
        {queue.map((v) => {
          const tl = timeLimitStatus(v, now, limits);
          const p = v.priority as Priority;
          return (
            <li
              key={v.id}
              id={`queue-${v.id}`}
              role="option"
              aria-selected={v.id === selectedId}
              data-testid={`queue-item-${v.id}`}
              data-state={v.state}
              tabIndex={-1}
              className={`${styles.item} ${styles[`p${p}`] ?? ''} ${v.id === selectedId ? styles.selected : ''}`}
              onClick={() => onSelect(v.id)}
            >
              <div className={styles.row}>
                <strong>{v.title}</strong>
                <span className={styles.badge}>{PRIORITY_LABELS[p]?.zh ?? v.priority}</span>
              </div>
              <div className={styles.row}>
                <span className={styles.muted}>
                  {CATEGORY_LABELS[v.category].zh} · {STATE_LABELS[v.state].zh}
                  {v.supervision > 0 && (
                    <span
                      className={`${styles.badge} ${v.supervision === 3 ? styles.card_red : v.supervision === 2 ? styles.card_yellow : ''}`}
                    >
                      {' '}
                      {SUPERVISION_LABELS[v.supervision]}
                    </span>
                  )}
                </span>
                <span title={tl.next ? `时限：${tl.next.milestone}` : '无时限'}>
                  <span className={`${styles.lamp} ${styles[`lamp_${tl.lamp}`]}`} />
                  {tl.next ? formatDuration(tl.next.remainingMs) : '—'}
                </span>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
