'use client';

import { useCallback, useEffect, useMemo, useState } from 'react';
import { CATEGORY_LABELS, PRIORITY_LABELS, type IncidentCategory, type Priority } from '@/lib/domain/enums';
import {
  DEPT_BUCKETS,
  DEPT_BUCKET_LABELS,
  type DeptBucket,
  type DeptQueueItem,
  type DeptQueueResponse,
  lampAt,
} from '@/lib/departments/queue';
import { ApiError, api, formatDuration } from '../dispatch/api';
import { useLang } from '../i18n/use-lang';
import { DeptDetail } from './DeptDetail';
import { dw } from './dept-words';
import styles from './dept.module.css';

/** The queue is re-read this often: a handing must reach the department's desk within seconds. */
const QUEUE_POLL_MS = 5_000;
/** Countdowns tick each second from the deadline the server gave (lamps come from the server's limits). */
const TICK_MS = 1_000;

/** 部门报到 (/dept): the department's queue on the left, the chosen case with its actions on the right. */
export function DeptConsole() {
  const [lang, setLang] = useLang();
  const [queue, setQueue] = useState<DeptQueueResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [version, setVersion] = useState(0);

  const load = useCallback(async () => {
    try {
      setQueue(await api<DeptQueueResponse>('/api/dept/queue'));
      setError(null);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 403 ? dw('noDept', lang) : (e as Error).message);
    }
  }, [lang]);

  useEffect(() => {
    void load();
    const poll = setInterval(() => void load(), QUEUE_POLL_MS);
    const tick = setInterval(() => setNow(Date.now()), TICK_MS);
    return () => {
      clearInterval(poll);
      clearInterval(tick);
    };
  }, [load]);

  const byBucket = useMemo(() => {
    const m = new Map<DeptBucket, DeptQueueItem[]>(DEPT_BUCKETS.map((b) => [b, []]));
    for (const i of queue?.items ?? []) m.get(i.bucket)!.push(i);
    return m;
  }, [queue]);

  const onChanged = useCallback(() => {
    setVersion((v) => v + 1);
    void load();
  }, [load]);

  return (
    <div className={styles.shell}>
      <header className={styles.header}>
        <span className={styles.title}>{dw('title', lang)}</span>
        <span className={styles.deptName} data-testid="dept-name">
          {queue?.department.name ?? ''}
        </span>
        <span className={styles.spacer} />
        <button
          type="button"
          className={styles.linkButton}
          onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
        >
          {dw('toggle', lang)}
        </button>
        <button
          type="button"
          className={styles.linkButton}
          onClick={async () => {
            await fetch('/api/session', { method: 'DELETE' });
            window.location.assign('/login?next=/dept');
          }}
        >
          {dw('signOut', lang)}
        </button>
      </header>
      <nav className={styles.queue} aria-label={dw('title', lang)}>
        {error && (
          <div className={styles.error} role="alert">
            {error}
          </div>
        )}
        {!queue && !error && <div className={styles.muted}>{dw('loading', lang)}</div>}
        {queue &&
          DEPT_BUCKETS.map((b) => (
            <section key={b} className={styles.bucket} data-testid={`bucket-${b}`}>
              <h2 className={styles.bucketTitle}>
                {DEPT_BUCKET_LABELS[b][lang]}
                <span className={styles.count}>{byBucket.get(b)!.length}</span>
              </h2>
              {byBucket.get(b)!.length === 0 && <div className={styles.muted}>{dw('empty', lang)}</div>}
              {byBucket.get(b)!.map((i) => (
                <QueueRow
                  key={i.id}
                  item={i}
                  now={now}
                  isSelected={i.id === selected}
                  onSelect={() => setSelected(i.id)}
                />
              ))}
            </section>
          ))}
      </nav>
      <main className={styles.detail}>
        {selected ? (
          <DeptDetail key={`${selected}:${version}`} id={selected} now={now} onChanged={onChanged} />
        ) : (
          <div className={styles.placeholder}>{dw('pick', lang)}</div>
        )}
      </main>
    </div>
  );
}

function QueueRow(p: { item: DeptQueueItem; now: number; isSelected: boolean; onSelect: () => void }) {
  const [lang] = useLang();
  const i = p.item;
  const lamp = lampAt(i.timeLimits, p.now);
  const next = i.timeLimits.next;
  const isOpen = i.bucket === 'pending' || i.bucket === 'in_progress';
  return (
    <button
      type="button"
      className={`${styles.row} ${p.isSelected ? styles.rowSelected : ''}`}
      onClick={p.onSelect}
      data-testid={`dept-row-${i.id}`}
    >
      <span className={styles.rowTop}>
        {isOpen && <span className={`${styles.lamp} ${styles[`lamp_${lamp}`] ?? ''}`} aria-label={lamp} />}
        <span className={styles.rowTitle}>{i.title}</span>
        {i.supervision > 0 && <span className={styles.badge}>{dw('supervised', lang)}</span>}
      </span>
      <span className={styles.rowMeta}>
        {PRIORITY_LABELS[i.priority as Priority]?.[lang] ?? i.priority} ·{' '}
        {CATEGORY_LABELS[i.category as IncidentCategory][lang]}
        {isOpen && next && (
          <span className={next.deadline < p.now ? styles.late : styles.left}>
            {' · '}
            {next.milestone === 'deptAck' ? dw('ackLeft', lang) : dw('resolveLeft', lang)}{' '}
            {formatDuration(next.deadline - p.now, lang)}
          </span>
        )}
      </span>
    </button>
  );
}
