'use client';

import { Fragment } from 'react';
import {
  CATEGORY_LABELS,
  INCIDENT_CATEGORIES,
  INCIDENT_STATES,
  PRIORITY_LABELS,
  SOURCE_LABELS,
  STATE_LABELS,
  type Priority,
} from '@/lib/domain/enums';
import type { IncidentView } from '@/lib/domain/incident';
import { WORK_TIER_LABELS, workTier, type QueueFilter, type WorkTier } from '@/lib/dispatch/incident-list';
import { SUPERVISION_BADGE_LABELS } from '@/lib/domain/incident-lifecycle';
import { timeLimitStatus, type TimeLimitConfig } from '@/lib/domain/time-limits';
import { milestoneLabel, type Lang } from '@/lib/wall/i18n';
import { useLang } from '../i18n/use-lang';
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

const CARD_CLASS: Record<number, string | undefined> = { 2: styles.card_yellow, 3: styles.card_red };

/** The queue's own words, Chinese first. */
const WORDS = {
  queue: { zh: '事件队列', en: 'Incident queue' },
  category: { zh: '类别', en: 'Category' },
  allCategories: { zh: '全部类别', en: 'All categories' },
  state: { zh: '状态', en: 'State' },
  allStates: { zh: '全部状态', en: 'All states' },
  region: { zh: '区域代码', en: 'Area code' },
  regionPlaceholder: { zh: '区域代码（区/街道/社区/网格）', en: 'Area code (district/town/community/grid)' },
  supervisedOnly: { zh: '只看督办/超时', en: 'Supervised/overdue only' },
  doneShown: { zh: '显示已办结', en: 'Show finished' },
  keys: { zh: '↑↓ 选择 · Enter 派首选', en: '↑↓ select · Enter sends first choice' },
  list: { zh: '待处置事件', en: 'Incidents to handle' },
  count: { zh: '{n} 件', en: '{n}' },
  limit: { zh: '时限：', en: 'Limit: ' },
  noLimit: { zh: '无时限', en: 'No time limit' },
  empty: { zh: '没有符合条件的事件', en: 'No incidents match' },
} as const;
const wd = (key: keyof typeof WORDS, lang: Lang, n?: number) =>
  WORDS[key][lang].replace('{n}', String(n ?? ''));

/**
 * The queue: work waiting for action first (上报, 受理, 退单, overdue), then in progress, each headed with its
 * count; finished work only on request. ↑/↓ (or j/k) move the selection.
 */
export function IncidentQueue({ queue, filter, onFilter, selectedId, onSelect, now, limits }: Props) {
  const tiers = queue.map((v) => workTier(v, now, limits));
  const counts = new Map<WorkTier, number>();
  for (const t of tiers) counts.set(t, (counts.get(t) ?? 0) + 1);
  const [lang] = useLang();
  return (
    <section
      className={`${styles.panel} ${lang === 'en' ? styles.queueWrap : ''}`}
      aria-label={wd('queue', lang)}
    >
      <div className={styles.filters}>
        <select
          className={styles.select}
          aria-label={wd('category', lang)}
          value={filter.category}
          onChange={(e) => onFilter({ ...filter, category: e.target.value as QueueFilter['category'] })}
        >
          <option value="">{wd('allCategories', lang)}</option>
          {INCIDENT_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {CATEGORY_LABELS[c][lang]}
            </option>
          ))}
        </select>
        <select
          className={styles.select}
          aria-label={wd('state', lang)}
          value={filter.state}
          onChange={(e) => onFilter({ ...filter, state: e.target.value as QueueFilter['state'] })}
        >
          <option value="">{wd('allStates', lang)}</option>
          {INCIDENT_STATES.filter((s) => s !== 'closed' && s !== 'cancelled').map((s) => (
            <option key={s} value={s}>
              {STATE_LABELS[s][lang]}
            </option>
          ))}
        </select>
        <input
          className={styles.input}
          style={{ gridColumn: '1 / -1' }}
          aria-label={wd('region', lang)}
          placeholder={wd('regionPlaceholder', lang)}
          value={filter.region}
          onChange={(e) => onFilter({ ...filter, region: e.target.value.trim() })}
        />
      </div>
      <div className={styles.queueTools}>
        <label>
          <input
            type="checkbox"
            checked={filter.isSupervisedOnly ?? false}
            onChange={(e) => onFilter({ ...filter, isSupervisedOnly: e.target.checked })}
            data-testid="filter-supervised"
          />
          {wd('supervisedOnly', lang)}
        </label>
        <label>
          <input
            type="checkbox"
            checked={filter.isDoneShown ?? false}
            onChange={(e) => onFilter({ ...filter, isDoneShown: e.target.checked })}
            data-testid="filter-done"
          />
          {wd('doneShown', lang)}
        </label>
        <span>{wd('keys', lang)}</span>
      </div>
      <ul className={styles.queue} role="listbox" aria-label={wd('list', lang)}>
        {queue.map((v, k) => {
          const tier = tiers[k]!;
          const tl = timeLimitStatus(v, now, limits);
          const p = v.priority as Priority;
          const next = tl.next;
          return (
            <Fragment key={v.id}>
              {tier !== tiers[k - 1] && (
                <li className={styles.tierHead} aria-hidden="true" data-testid={`tier-${tier}`}>
                  <span>{WORK_TIER_LABELS[tier][lang]}</span>
                  <span>{wd('count', lang, counts.get(tier))}</span>
                </li>
              )}
              <li
                id={`queue-${v.id}`}
                role="option"
                aria-selected={v.id === selectedId}
                data-testid={`queue-item-${v.id}`}
                data-state={v.state}
                data-tier={tier}
                tabIndex={-1}
                className={`${styles.item} ${styles[`p${p}`] ?? ''} ${v.id === selectedId ? styles.selected : ''} ${tier === 'done' ? styles.itemDone : ''}`}
                onClick={() => onSelect(v.id)}
              >
                <div className={styles.itemTop}>
                  <span className={styles.itemTitle} title={v.title}>
                    {v.title}
                  </span>
                  <span className={`${styles.prio} ${styles[`prio${p}`] ?? ''}`}>
                    {PRIORITY_LABELS[p]?.[lang] ?? v.priority}
                  </span>
                </div>
                <div className={styles.itemMeta}>
                  <span className={styles.stateChip} data-state={v.state}>
                    {STATE_LABELS[v.state][lang]}
                  </span>
                  {v.supervision > 0 && (
                    <span className={`${styles.card} ${CARD_CLASS[v.supervision] ?? styles.badge}`}>
                      {SUPERVISION_BADGE_LABELS[v.supervision]?.[lang] ?? v.supervision}
                    </span>
                  )}
                  <span className={styles.metaText} title={v.address ?? undefined}>
                    {CATEGORY_LABELS[v.category][lang]} · {SOURCE_LABELS[v.source]?.[lang] ?? v.source}
                  </span>
                  <span
                    className={`${styles.timer} ${tl.isOverdue ? styles.timerLate : ''}`}
                    title={
                      next
                        ? `${wd('limit', lang)}${milestoneLabel(next.milestone, lang)}`
                        : wd('noLimit', lang)
                    }
                  >
                    <span className={`${styles.lamp} ${styles[`lamp_${tl.lamp}`]}`} />
                    {next ? formatDuration(next.remainingMs, lang) : '—'}
                  </span>
                </div>
              </li>
            </Fragment>
          );
        })}
      </ul>
      {queue.length === 0 && <div className={styles.muted}>{wd('empty', lang)}</div>}
    </section>
  );
}
