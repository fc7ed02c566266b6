'use client';

import { useEffect, useState } from 'react';
import {
  CATEGORY_LABELS,
  PRIORITY_LABELS,
  STATE_LABELS,
  type IncidentCategory,
  type IncidentState,
  type Priority,
} from '@/lib/domain/enums';
import {
  DEPT_ACTION_LABELS,
  deptActionsFor,
  lampAt,
  type DeptAction,
  type DeptIncidentDetail,
} from '@/lib/departments/queue';
import { isSourceNumber } from '@/lib/dispatch/intake-key';
import { formatDateTime } from '@/lib/time/display-time';
import { api, formatDuration } from '../dispatch/api';
import { useLang } from '../i18n/use-lang';
import { useDisplayTz } from '../time/use-display-tz';
import { attachmentPhotos } from '../photos/IncidentPhotos';
import { PhotoStrip } from '../photos/PhotoStrip';
import { DeptPhotoPicker } from './DeptPhotoPicker';
import { dw } from './dept-words';
import styles from './dept.module.css';

const EVENT_LABELS: Record<string, { zh: string; en: string }> = {
  reported: { zh: '上报', en: 'Reported' },
  assign: { zh: '交办', en: 'Handed' },
  feedback: { zh: '反馈', en: 'Feedback' },
  supervise: { zh: '督办', en: 'Supervised' },
  follow_up: { zh: '回访', en: 'Follow-up' },
};

/** One case: what it is, its deadline, its timeline, and the actions its bucket allows. */
export function DeptDetail(p: { id: string; now: number; onChanged: () => void }) {
  const [lang] = useLang();
  const tz = useDisplayTz();
  const [d, setD] = useState<DeptIncidentDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [photos, setPhotos] = useState<string[]>([]);

  useEffect(() => {
    let live = true;
    api<DeptIncidentDetail>(`/api/dept/incidents/${encodeURIComponent(p.id)}`)
      .then((r) => live && setD(r))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [p.id]);

  const act = async (action: DeptAction) => {
    const text = note.trim();
    if (action === 'return' && !text) return setError(dw('reasonRequired', lang));
    const withPhotos = action === 'feedback' || action === 'resolve' ? photos : [];
    if (action === 'feedback' && !text && withPhotos.length === 0)
      return setError(dw('feedbackRequired', lang));
    setBusy(true);
    setError(null);
    try {
      await api(`/api/dept/incidents/${encodeURIComponent(p.id)}/${action}`, {
        method: 'POST',
        body: { ...(text ? { note: text } : {}), ...(withPhotos.length > 0 ? { photos: withPhotos } : {}) },
      });
      setNote('');
      setPhotos([]);
      p.onChanged();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!d) return <div className={styles.placeholder}>{error ?? dw('loading', lang)}</div>;
  const i = d.incident;
  const actions = deptActionsFor(d.bucket);
  const next = d.timeLimits.next;
  const lamp = lampAt(d.timeLimits, p.now);
  return (
    <article className={styles.card} data-testid="dept-detail">
      <h1 className={styles.detailTitle}>{i.title}</h1>
      <div className={styles.facts}>
        <span className={styles.state} data-testid="dept-state">
          {STATE_LABELS[i.state][lang]}
        </span>
        <span>{PRIORITY_LABELS[i.priority as Priority]?.[lang]}</span>
        <span>{CATEGORY_LABELS[i.category as IncidentCategory][lang]}</span>
        <span>
          {dw('handedAt', lang)} {formatDateTime(d.handedAt, tz, false)}
        </span>
      </div>
      {next && (d.bucket === 'pending' || d.bucket === 'in_progress') && (
        <div className={`${styles.deadline} ${styles[`deadline_${lamp}`] ?? ''}`} data-testid="dept-deadline">
          <span className={`${styles.lamp} ${styles[`lamp_${lamp}`] ?? ''}`} />
          {next.milestone === 'deptAck' ? dw('ackLeft', lang) : dw('resolveLeft', lang)}{' '}
          <strong>{formatDuration(next.deadline - p.now, lang)}</strong>
          {next.deadline < p.now && <span className={styles.lateTag}>{dw('overdue', lang)}</span>}
        </div>
      )}
      {d.bucket === 'resolved' && <div className={styles.notice}>{dw('awaitCheck', lang)}</div>}
      {d.bucket === 'returned' && <div className={styles.notice}>{dw('returnedNote', lang)}</div>}
      <dl className={styles.kv}>
        <dt>{dw('address', lang)}</dt>
        <dd>{i.address ?? '—'}</dd>
        {/* 接警登记's idempotency key is not a number anyone can quote; only a source's own is shown. */}
        {i.sourceRef && isSourceNumber(i.sourceRef) && (
          <>
            <dt>{dw('sourceRef', lang)}</dt>
            <dd>{i.sourceRef}</dd>
          </>
        )}
        <dt>{dw('detail', lang)}</dt>
        <dd>{i.detail ?? '—'}</dd>
      </dl>
      <PhotoStrip
        photos={attachmentPhotos(d.attachments ?? [], lang, tz)}
        lang={lang}
        size="desk"
        title={dw('photos', lang)}
        testId="dept-photos"
      />
      {actions.length > 0 && (
        <div className={styles.actions}>
          <label className={styles.noteLabel}>
            {dw('note', lang)}
            <textarea
              name="note"
              className={styles.note}
              value={note}
              maxLength={1000}
              placeholder={dw('notePlaceholder', lang)}
              onChange={(e) => setNote(e.target.value)}
            />
          </label>
          {(actions.includes('feedback') || actions.includes('resolve')) && (
            <DeptPhotoPicker
              lang={lang}
              hashes={photos}
              onChange={setPhotos}
              onError={setError}
              disabled={busy}
            />
          )}
          <div className={styles.buttons}>
            {actions.map((a) => (
              <button
                key={a}
                type="button"
                disabled={busy}
                className={`${styles.action} ${a === 'return' ? styles.actionReturn : ''} ${a === 'ack' || a === 'resolve' ? styles.actionPrimary : ''}`}
                onClick={() => void act(a)}
                data-testid={`dept-${a}`}
              >
                {DEPT_ACTION_LABELS[a][lang]}
              </button>
            ))}
          </div>
        </div>
      )}
      {error && (
        <div className={styles.error} role="alert">
          {error}
        </div>
      )}
      <h2 className={styles.sectionTitle}>{dw('timeline', lang)}</h2>
      <ol className={styles.timeline}>
        {d.timeline.map((e) => (
          <li key={e.id}>
            <span className={styles.when}>{formatDateTime(e.at, tz)}</span>
            <span className={styles.what}>
              {e.type === 'transition' && e.fromState === 'dispatched' && e.toState === 'on_scene'
                ? DEPT_ACTION_LABELS.ack[lang]
                : e.type === 'transition' && e.toState
                  ? STATE_LABELS[e.toState as IncidentState]?.[lang]
                  : (EVENT_LABELS[e.type]?.[lang] ?? e.type)}
            </span>
            <span className={styles.who}>{e.actorName}</span>
            {e.note && <span className={styles.eventNote}>{e.note}</span>}
          </li>
        ))}
      </ol>
    </article>
  );
}
