'use client';

import { useState } from 'react';
import { CATEGORY_LABELS, STATE_LABELS } from '@/lib/domain/enums';
import { TASK_ACTION_LABELS, photoUrl, type MobileTask, type TaskAction } from '@/lib/mobile/contract';
import type { Lang } from '@/lib/wall/i18n';
import { mw } from './mobile-words';
import { enqueue, newKey, nextAt, type QueuedAction } from './outbox';
import { prepareAll } from './photo-prep';
import styles from './mobile.module.css';

function TaskCard({
  task,
  lang,
  queued,
  onQueued,
}: {
  task: MobileTask;
  lang: Lang;
  /** This task's actions still on the phone (待发送), oldest first. */
  queued: QueuedAction[];
  onQueued: () => void;
}) {
  const [note, setNote] = useState('');
  const [files, setFiles] = useState<Blob[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const isOpen = task.state === 'dispatched' || task.state === 'on_scene';
  const waiting = queued.filter((q) => !q.error);
  const isWaiting = (a: TaskAction) => waiting.some((q) => q.action === a);

  /** Every tap is saved on the phone first and sent from there: the same path with or without a signal. */
  async function act(action: TaskAction) {
    setIsBusy(true);
    setError(null);
    try {
      await enqueue({
        kind: 'action',
        key: newKey(),
        at: nextAt(),
        taskId: task.id,
        title: task.title,
        action,
        note: note.trim() || undefined,
        photos: files,
      });
      setNote('');
      setFiles([]);
      onQueued();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setIsBusy(false);
    }
  }

  async function addFiles(picked: File[]) {
    const { photos, refusals } = await prepareAll(picked);
    setError(refusals.length > 0 ? refusals.join('\n') : null);
    if (photos.length > 0) setFiles((cur) => [...cur, ...photos]);
  }

  return (
    <article className={styles.card} data-testid="m-task" data-id={task.id} data-state={task.state}>
      <div className={styles.cardHead}>
        <span className={styles.cardTitle}>{task.title}</span>
        <span className={`${styles.state} ${isOpen ? '' : styles.stateDone}`}>
          {STATE_LABELS[task.state][lang]}
        </span>
      </div>
      <p className={styles.meta}>
        {CATEGORY_LABELS[task.category][lang]} ·{' '}
        {task.address ?? `${task.lng.toFixed(5)}, ${task.lat.toFixed(5)}`}
      </p>
      {task.detail && <p className={styles.meta}>{task.detail}</p>}
      {task.photos.length > 0 && (
        <div className={styles.photoRow}>
          {task.photos.map((p) => (
            <a key={p.hash} href={photoUrl(p.hash)} target="_blank" rel="noreferrer">
              <img src={photoUrl(p.hash, true)} alt="" className={styles.thumb} />
            </a>
          ))}
        </div>
      )}
      {waiting.length > 0 && (
        // Not done until the server says so: the state above stays the server's.
        <p className={styles.pendingStrip} data-testid="m-task-pending">
          {mw('pendingActions', lang)}
          {waiting.map((q) => TASK_ACTION_LABELS[q.action][lang]).join('、')}
        </p>
      )}
      {isOpen && (
        <>
          <div className={styles.actions} style={{ marginTop: 10 }}>
            {task.state === 'dispatched' &&
              !task.isAccepted &&
              !isWaiting('accept') &&
              !isWaiting('arrive') &&
              !isWaiting('resolve') && (
                <button
                  type="button"
                  className={styles.secondary}
                  disabled={isBusy}
                  onClick={() => void act('accept')}
                >
                  {mw('accept', lang)}
                </button>
              )}
            {task.state === 'dispatched' && !isWaiting('arrive') && (
              <button
                type="button"
                className={styles.secondary}
                disabled={isBusy}
                onClick={() => void act('arrive')}
              >
                {mw('arrive', lang)}
              </button>
            )}
            <button
              type="button"
              className={`${styles.secondary} ${styles.resolve}`}
              disabled={isBusy || isWaiting('resolve')}
              onClick={() => void act('resolve')}
            >
              {mw('resolve', lang)}
            </button>
          </div>
          <label className={styles.field} style={{ marginTop: 10 }}>
            <span className={styles.label}>{mw('addNote', lang)}</span>
            <textarea
              className={styles.textarea}
              value={note}
              maxLength={1000}
              placeholder={mw('notePh', lang)}
              onChange={(e) => setNote(e.target.value)}
            />
          </label>
          <div className={styles.actions}>
            <label
              className={styles.secondary}
              style={{ display: 'inline-flex', alignItems: 'center', justifyContent: 'center' }}
            >
              {mw('takePhoto', lang)}
              {files.length > 0 ? ` (${files.length})` : ''}
              <input
                className={styles.fileInput}
                type="file"
                accept="image/*"
                capture="environment"
                multiple
                onChange={(e) => {
                  const picked = Array.from(e.target.files ?? []);
                  e.target.value = '';
                  void addFiles(picked);
                }}
              />
            </label>
            <button
              type="button"
              className={styles.secondary}
              disabled={isBusy || (!note.trim() && files.length === 0)}
              onClick={() => void act('note')}
            >
              {mw('saveNote', lang)}
            </button>
          </div>
          {task.isAccepted && task.state === 'dispatched' && (
            <p className={styles.meta}>{mw('accepted', lang)}</p>
          )}
        </>
      )}
      {error && <p className={`${styles.banner} ${styles.bannerError}`}>{error}</p>}
    </article>
  );
}

/** 我的任务: the open ones with their buttons, then what this worker reported. */
export function TaskList({
  lang,
  tasks,
  reports,
  queued,
  onQueued,
}: {
  lang: Lang;
  tasks: MobileTask[];
  reports: MobileTask[];
  /** Task actions waiting on the phone (or refused), for every task. */
  queued: QueuedAction[];
  onQueued: () => void;
}) {
  return (
    <>
      <section className={styles.section}>
        <h2 className={styles.sectionTitle}>{mw('tasks', lang)}</h2>
        {tasks.length === 0 && <p className={styles.empty}>{mw('noTasks', lang)}</p>}
        {tasks.map((t) => (
          <TaskCard
            key={t.id}
            task={t}
            lang={lang}
            queued={queued.filter((q) => q.taskId === t.id)}
            onQueued={onQueued}
          />
        ))}
      </section>
      {reports.length > 0 && (
        <section className={styles.section}>
          <h2 className={styles.sectionTitle}>{mw('myReports', lang)}</h2>
          {reports.map((t) => (
            <article key={t.id} className={styles.card} data-testid="m-report" data-id={t.id}>
              <div className={styles.cardHead}>
                <span className={styles.cardTitle}>{t.title}</span>
                <span className={styles.state}>{STATE_LABELS[t.state][lang]}</span>
              </div>
              <p className={styles.meta}>
                {new Date(t.reportedAt).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en')}
              </p>
            </article>
          ))}
        </section>
      )}
    </>
  );
}
