'use client';

import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, formatTime } from './api';
import styles from './dispatch.module.css';
import type { AuditRow, AuditVerifyResult } from '@/lib/dispatch/api-types';

const PAGE_ROWS = 100;
const RESULT_LABELS: Record<string, string> = { ok: '成功', denied: '拒绝', error: '失败' };

type Filter = { actor: string; action: string; objectType: string; objectId: string; result: string };
const EMPTY: Filter = { actor: '', action: '', objectType: '', objectId: '', result: '' };

/** The admin's view of the audit log: filter, page back in time, and verify the hash chain. */
export function AuditLogView() {
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [rows, setRows] = useState<AuditRow[]>([]);
  const [verify, setVerify] = useState<AuditVerifyResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (beforeId?: number) => {
      const q = new URLSearchParams({ limit: String(PAGE_ROWS) });
      for (const [k, v] of Object.entries(filter)) if (v) q.set(k, v);
      if (beforeId) q.set('before', String(beforeId));
      try {
        const r = await api<{ rows: AuditRow[] }>(`/api/audit?${q}`);
        setRows((prev) => (beforeId ? [...prev, ...r.rows] : r.rows));
        setError(null);
      } catch (e) {
        setError(e instanceof ApiError ? e.message : '加载失败');
      }
    },
    [filter],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const field = (key: keyof Filter, label: string) => (
    <input
      className={styles.input}
      placeholder={label}
      aria-label={label}
      value={filter[key]}
      onChange={(e) => setFilter({ ...filter, [key]: e.target.value.trim() })}
    />
  );

  return (
    <main className={styles.page}>
      <div className={styles.row} style={{ marginBottom: 12 }}>
        <span className={styles.title}>审计日志</span>
        <span>
          <button
            className={styles.button}
            data-testid="verify"
            onClick={() =>
              void api<typeof verify>('/api/audit/verify')
                .then(setVerify)
                .catch((e: Error) => setError(e.message))
            }
          >
            校验哈希链
          </button>{' '}
          {verify &&
            (verify.ok ? (
              <span className={styles.linkLive}>完整 · {verify.rows} 条</span>
            ) : (
              <span className={styles.linkDown} title={verify.reason} data-testid="verify-failed">
                {verify.problem === 'head'
                  ? `已被篡改：日志末尾的记录被删除（锚定的第 ${verify.firstBadRow ?? '?'} 条已不在链上）`
                  : `已被篡改：第 ${verify.firstBadRow} 条起不一致`}
              </span>
            ))}
        </span>
      </div>
      <div className={styles.actions}>
        {field('actor', '操作人')}
        {field('action', '动作，如 incident.assign')}
        {field('objectType', '对象类型')}
        {field('objectId', '对象编号')}
        <select
          className={styles.select}
          aria-label="结果"
          value={filter.result}
          onChange={(e) => setFilter({ ...filter, result: e.target.value })}
        >
          <option value="">全部结果</option>
          <option value="ok">成功</option>
          <option value="denied">拒绝</option>
          <option value="error">失败</option>
        </select>
      </div>
      {error && <div className={styles.error}>{error}</div>}
      <table className={styles.table}>
        <thead>
          <tr>
            <th>#</th>
            <th>时间 (UTC)</th>
            <th>操作人</th>
            <th>地址</th>
            <th>动作</th>
            <th>对象</th>
            <th>变更</th>
            <th>结果</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>{r.id}</td>
              <td title={formatTime(r.at)}>{new Date(r.at).toISOString().replace('T', ' ').slice(0, 19)}</td>
              <td>
                {r.actor} <span className={styles.muted}>{r.role}</span>
              </td>
              <td className={styles.muted}>{r.client_address}</td>
              <td>{r.action}</td>
              <td>
                {r.object_type} {r.object_id}
              </td>
              <td className={styles.muted} style={{ maxWidth: 420, wordBreak: 'break-all' }}>
                {r.before && <div>前：{r.before}</div>}
                {r.after && <div>后：{r.after}</div>}
              </td>
              <td className={r.result === 'ok' ? styles.linkLive : styles.linkDown}>
                {RESULT_LABELS[r.result] ?? r.result}
                {r.reason && <div className={styles.muted}>{r.reason}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > 0 && rows.length % PAGE_ROWS === 0 && (
        <button
          className={styles.button}
          style={{ marginTop: 8 }}
          onClick={() => void load(rows[rows.length - 1]!.id)}
        >
          更早的记录
        </button>
      )}
    </main>
  );
}
