'use client';

import { useEffect, useState } from 'react';
import { APPEAL_TYPES, APPEAL_TYPE_LABELS, type AppealType } from '@/lib/hotline/work-order';
import type { Role } from '@/lib/domain/incident-lifecycle';
import { isSourceNumber } from '@/lib/dispatch/intake-key';
import type { Lang } from '@/lib/wall/i18n';
import { formatTime } from '../dispatch/api';
import styles from '../dispatch/dispatch.module.css';

/** What GET /api/incidents/:id/hotline answers (server/hotline/hotline-routes.ts). */
interface HotlineView {
  isHotline: boolean;
  orderNo: string | null;
  appealType: AppealType | null;
  callerNumber: string | null;
  callerName: string | null;
  reply: { text: string; at: number | null; by: string | null } | null;
  satisfaction: number | null;
}

const WORDS = {
  title: { zh: '12345 工单', en: '12345 work order' },
  appealType: { zh: '诉求类型', en: 'Request type' },
  appealPick: { zh: '未分类', en: 'Not set' },
  caller: { zh: '来电号码', en: 'Caller' },
  reply: { zh: '答复市民', en: 'Reply to citizen' },
  replyNone: { zh: '尚未答复', en: 'Not replied yet' },
  replyPlaceholder: { zh: '答复内容（将回传 12345 平台）', en: 'Reply (sent back to the 12345 platform)' },
  send: { zh: '提交答复', en: 'Send reply' },
  satisfaction: { zh: '回访评价', en: 'Follow-up rating' },
  failed: { zh: '保存失败', en: 'Save failed' },
} as const;
const wd = (k: keyof typeof WORDS, lang: Lang) => WORDS[k][lang];

const EDITOR_ROLES: ReadonlySet<Role> = new Set(['admin', 'leader', 'dispatcher']);

/**
 * The 12345 fields of a hotline incident in the console: 诉求类型, the caller's number (masked by the server
 * for whoever may not read it), the reply to the citizen (回复) and the 回访 rating. Nothing for other sources.
 */
export function HotlineSection(props: { incidentId: string; role: Role; lang: Lang; tz: string }) {
  const { incidentId, role, lang, tz } = props;
  const [view, setView] = useState<HotlineView | null>(null);
  const [text, setText] = useState('');
  const [isBusy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let isCurrent = true;
    void fetch(`/api/incidents/${encodeURIComponent(incidentId)}/hotline`, { credentials: 'same-origin' })
      .then((r) => (r.ok ? (r.json() as Promise<HotlineView>) : null))
      .then((v) => isCurrent && setView(v))
      .catch(() => isCurrent && setView(null));
    return () => {
      isCurrent = false;
    };
  }, [incidentId]);

  if (!view?.isHotline) return null;
  const canEdit = EDITOR_ROLES.has(role);

  const save = async (body: { text?: string; appealType?: AppealType }) => {
    setBusy(true);
    setError(null);
    try {
      const r = await fetch(`/api/incidents/${encodeURIComponent(incidentId)}/reply`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await r.json()) as HotlineView & { error?: string };
      if (!r.ok) throw new Error(json.error ?? String(r.status));
      setView(json);
      if (body.text) setText('');
    } catch (err) {
      setError(`${wd('failed', lang)}: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className={styles.section} data-testid="hotline-section">
      <div className={styles.sectionTitle}>
        {/* A call logged at the desk (接警登记) has no 工单号 of the platform's, only our own retry key. */}
        {wd('title', lang)} {view.orderNo && isSourceNumber(view.orderNo) ? view.orderNo : ''}
      </div>
      <div className={styles.row} style={{ flexWrap: 'wrap', gap: 12 }}>
        <label>
          {wd('appealType', lang)}{' '}
          <select
            className={styles.select}
            value={view.appealType ?? ''}
            disabled={!canEdit || isBusy}
            data-testid="hotline-appeal-type"
            onChange={(e) => e.target.value && void save({ appealType: e.target.value as AppealType })}
          >
            {view.appealType === null && <option value="">{wd('appealPick', lang)}</option>}
            {APPEAL_TYPES.map((t) => (
              <option key={t} value={t}>
                {APPEAL_TYPE_LABELS[t][lang]}
              </option>
            ))}
          </select>
        </label>
        {view.callerNumber && (
          <span data-testid="hotline-caller">
            {wd('caller', lang)} {view.callerName ? `${view.callerName} ` : ''}
            <span style={{ fontFamily: 'monospace' }}>{view.callerNumber}</span>
          </span>
        )}
        {view.satisfaction !== null && (
          <span className={styles.badge}>
            {wd('satisfaction', lang)} {view.satisfaction}/5
          </span>
        )}
      </div>
      <div data-testid="hotline-reply">
        {wd('reply', lang)}:{' '}
        {view.reply ? (
          <>
            <span style={{ whiteSpace: 'pre-wrap' }}>{view.reply.text}</span>{' '}
            <span className={styles.muted}>
              {view.reply.at !== null ? formatTime(view.reply.at, tz) : ''} {view.reply.by ?? ''}
            </span>
          </>
        ) : (
          <span className={styles.muted}>{wd('replyNone', lang)}</span>
        )}
      </div>
      {canEdit && (
        <div className={styles.actions}>
          <textarea
            className={styles.textarea}
            placeholder={wd('replyPlaceholder', lang)}
            aria-label={wd('reply', lang)}
            value={text}
            maxLength={2000}
            onChange={(e) => setText(e.target.value)}
          />
          <button
            className={styles.button}
            disabled={isBusy || !text.trim()}
            data-testid="hotline-reply-send"
            onClick={() => void save({ text: text.trim() })}
          >
            {wd('send', lang)}
          </button>
        </div>
      )}
      {error && <div role="alert">{error}</div>}
    </div>
  );
}
