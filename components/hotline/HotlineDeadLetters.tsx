'use client';

import { useState } from 'react';
import { formatDateTime } from '@/lib/time/display-time';
import { Banner } from '../admin/form-parts';
import { act, useAdminData } from '../admin/use-admin-data';
import styles from '../admin/admin.module.css';
import { useLang } from '../i18n/use-lang';
import { useDisplayTz } from '../time/use-display-tz';

/** GET /api/admin/hotline/dead-letters (server/hotline/hotline-routes.ts). */
interface DeadLetters {
  total: number;
  items: {
    id: number;
    incidentId: string;
    orderNo: string;
    attempts: number;
    lastError: string | null;
    updatedAt: number;
    payload: { stageLabel?: string };
  }[];
}

const WORDS = {
  title: { zh: '12345 回传失败（死信）', en: '12345 callbacks that failed (dead letters)' },
  none: { zh: '没有失败的回传', en: 'No failed callbacks' },
  orderNo: { zh: '工单编号', en: 'Order no.' },
  stage: { zh: '环节', en: 'Stage' },
  attempts: { zh: '尝试次数', en: 'Attempts' },
  lastError: { zh: '最后错误', en: 'Last error' },
  at: { zh: '时间', en: 'Time' },
  retry: { zh: '重新回传', en: 'Retry' },
  retried: { zh: '已重新排队', en: 'Queued again' },
} as const;

/**
 * State changes the 12345 platform never acknowledged after every retry: listed for an admin, who can put
 * one back in the queue once the platform is reachable again.
 */
export function HotlineDeadLetters() {
  const [lang] = useLang();
  const tz = useDisplayTz();
  const wd = (k: keyof typeof WORDS) => WORDS[k][lang];
  const { data, error, reload } = useAdminData<DeadLetters>('/api/admin/hotline/dead-letters');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const retry = async (id: number) => {
    const failure = await act(`/api/admin/hotline/dead-letters/${id}/retry`, 'POST');
    setMessage(failure ? { kind: 'error', text: failure } : { kind: 'ok', text: wd('retried') });
    reload();
  };

  return (
    <div className={`${styles.card} ${styles.tableWrap}`} data-testid="hotline-dead-letters">
      <h2 className={styles.cardTitle}>
        {wd('title')} {data ? `(${data.total})` : ''}
      </h2>
      {error && <Banner kind="error">{error}</Banner>}
      {message && <Banner kind={message.kind}>{message.text}</Banner>}
      {data && data.items.length === 0 && <div className={styles.muted}>{wd('none')}</div>}
      {data && data.items.length > 0 && (
        <table className={styles.table}>
          <thead>
            <tr>
              <th>{wd('orderNo')}</th>
              <th>{wd('stage')}</th>
              <th>{wd('attempts')}</th>
              <th>{wd('lastError')}</th>
              <th>{wd('at')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.items.map((d) => (
              <tr key={d.id}>
                <td className={styles.mono}>{d.orderNo}</td>
                <td>{d.payload.stageLabel ?? ''}</td>
                <td>{d.attempts}</td>
                <td className={styles.muted}>{d.lastError ?? ''}</td>
                <td className={styles.nowrap}>{formatDateTime(d.updatedAt, tz)}</td>
                <td>
                  <button className={styles.button} onClick={() => void retry(d.id)}>
                    {wd('retry')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
