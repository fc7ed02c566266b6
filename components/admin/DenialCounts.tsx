'use client';

import { useEffect, useState } from 'react';
import { formatDateTime } from '@/lib/time/display-time';
import { api } from '../dispatch/api';
import { useLang } from '../i18n/use-lang';
import { useDisplayTz } from '../time/use-display-tz';
import styles from './admin.module.css';

interface DenialRow {
  minute: number;
  kind: string;
  source: string;
  actor: string;
  count: number;
}

/** What each counted kind means, Chinese first. */
const KIND_LABELS: Record<string, { zh: string; en: string }> = {
  'login.unknown_user': { zh: '登录失败（无此用户）', en: 'Sign-in: unknown user' },
  'login.bad_password': { zh: '登录失败（密码错误）', en: 'Sign-in: wrong password' },
  'login.locked': { zh: '登录被锁定', en: 'Sign-in while locked' },
  'login.disabled': { zh: '已停用账号登录', en: 'Sign-in to a disabled account' },
  'login.rate_limited': { zh: '登录过于频繁', en: 'Sign-in rate-limited' },
  'password.bad_current': { zh: '改密时当前密码错误', en: 'Password change: wrong current password' },
  'read.denied': { zh: '读取被拒绝', en: 'Read denied' },
  'write.denied': { zh: '未登录或大屏令牌写入被拒绝', en: 'Write denied (anonymous or screen)' },
  'socket.denied': { zh: '实时连接被拒绝', en: 'Live connection refused' },
};

const WORDS = {
  title: { zh: '拒绝计数（近 24 小时，按分钟汇总）', en: 'Denials (last 24 h, counted per minute)' },
  note: {
    zh: '登录失败、读取被拒等无需登录即可触发的事件只计数，不逐条写入审计链；已登录用户被拒绝的写操作仍逐条记录在上方审计日志中。',
    en: 'Failed sign-ins and denied reads, which anyone can cause, are counted, not chained one by one; a signed-in user’s denied write is still a row in the audit log above.',
  },
  minute: { zh: '时间', en: 'Minute' },
  kind: { zh: '类型', en: 'Kind' },
  source: { zh: '来源地址', en: 'Source' },
  actor: { zh: '账号', en: 'Account' },
  count: { zh: '次数', en: 'Count' },
  none: { zh: '近 24 小时无拒绝记录', en: 'No denials in the last 24 hours' },
} as const;

/** The admin audit page's counts of denials (GET /api/audit/denials). */
export function DenialCounts() {
  const [lang] = useLang();
  const tz = useDisplayTz();
  const [rows, setRows] = useState<DenialRow[] | null>(null);

  useEffect(() => {
    void api<{ rows: DenialRow[] }>('/api/audit/denials')
      .then((r) => setRows(r.rows))
      .catch(() => setRows([]));
  }, []);

  return (
    <section className={styles.card} data-testid="denial-counts">
      <div className={styles.cardTitle}>{WORDS.title[lang]}</div>
      <p className={styles.muted}>{WORDS.note[lang]}</p>
      {rows && rows.length === 0 && <p className={styles.muted}>{WORDS.none[lang]}</p>}
      {rows && rows.length > 0 && (
        <div className={styles.tableWrap}>
          <table className={styles.table}>
            <thead>
              <tr>
                <th>{WORDS.minute[lang]}</th>
                <th>{WORDS.kind[lang]}</th>
                <th>{WORDS.source[lang]}</th>
                <th>{WORDS.actor[lang]}</th>
                <th>{WORDS.count[lang]}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.minute}|${r.kind}|${r.source}|${r.actor}`}>
                  <td>{formatDateTime(r.minute, tz, false)}</td>
                  <td>{KIND_LABELS[r.kind]?.[lang] ?? r.kind}</td>
                  <td>{r.source}</td>
                  <td>{r.actor || '—'}</td>
                  <td>{r.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
