'use client';

import { useCallback, useEffect, useState } from 'react';
import type { AuditListResponse, AuditRow, AuditVerifyResult } from '@/lib/dispatch/api-types';
import {
  AUDIT_ACTION_WORDS,
  auditActionLabel,
  auditDiff,
  auditFieldLabel,
  auditResultLabel,
  auditValueLabel,
  objectTypeLabel,
  roleLabel,
  type IdNames,
} from '@/lib/names/audit-vocabulary';
import { actorLabel } from '@/lib/names/actor-label';
import { formatDateTime, zoneLabel } from '@/lib/time/display-time';
import type { Lang } from '@/lib/wall/i18n';
import { useLang } from '../i18n/use-lang';
import { useDisplayTz } from '../time/use-display-tz';
import { ApiError, api } from './api';
import styles from './dispatch.module.css';
import own from './AuditLogView.module.css';

const PAGE_ROWS = 100;

type Filter = { actor: string; action: string; objectType: string; objectId: string; result: string };
const EMPTY: Filter = { actor: '', action: '', objectType: '', objectId: '', result: '' };

/** The page's own words, Chinese first. */
const WORDS = {
  title: { zh: '审计日志', en: 'Audit log' },
  verify: { zh: '校验哈希链', en: 'Verify hash chain' },
  intact: { zh: '完整', en: 'Intact' },
  rowsUnit: { zh: '条', en: 'rows' },
  time: { zh: '时间', en: 'Time' },
  actor: { zh: '操作人', en: 'Actor' },
  actorFilter: { zh: '操作人（用户名）', en: 'Actor (username)' },
  address: { zh: '地址', en: 'Address' },
  action: { zh: '动作', en: 'Action' },
  allActions: { zh: '全部动作', en: 'All actions' },
  object: { zh: '对象', en: 'Object' },
  objectId: { zh: '对象编号', en: 'Object id' },
  objectType: { zh: '对象类型', en: 'Object type' },
  change: { zh: '变更', en: 'Change' },
  field: { zh: '字段', en: 'Field' },
  before: { zh: '变更前', en: 'Before' },
  after: { zh: '变更后', en: 'After' },
  result: { zh: '结果', en: 'Result' },
  allResults: { zh: '全部结果', en: 'All results' },
  earlier: { zh: '更早的记录', en: 'Earlier rows' },
  loadFailed: { zh: '加载失败', en: 'Could not load' },
  tamperedHead: {
    zh: '已被篡改：日志末尾的记录被删除（锚定的第 {n} 条已不在链上）',
    en: 'Tampered: the newest rows were removed (anchored row {n} is no longer in the chain)',
  },
  tamperedRow: { zh: '已被篡改：第 {n} 条起不一致', en: 'Tampered: inconsistent from row {n}' },
  language: { zh: 'English', en: '中文' },
} as const;
const w = (key: keyof typeof WORDS, lang: Lang, n?: number | string) =>
  WORDS[key][lang].replace('{n}', String(n ?? '?'));

/** The admin's view of the audit log: filter, page back in time, read each change, verify the hash chain. */
export function AuditLogView() {
  const [lang, setLang] = useLang();
  const tz = useDisplayTz();
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [rows, setRows] = useState<AuditRow[]>([]);
  const [names, setNames] = useState<IdNames>({});
  const [verify, setVerify] = useState<AuditVerifyResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (beforeId?: number) => {
      const q = new URLSearchParams({ limit: String(PAGE_ROWS) });
      for (const [k, v] of Object.entries(filter)) if (v) q.set(k, v);
      if (beforeId) q.set('before', String(beforeId));
      try {
        const r = await api<AuditListResponse>(`/api/audit?${q}`);
        setRows((prev) => (beforeId ? [...prev, ...r.rows] : r.rows));
        setNames((prev) => ({ ...(beforeId ? prev : {}), ...r.names }));
        setError(null);
      } catch (e) {
        setError(e instanceof ApiError ? e.message : w('loadFailed', lang));
      }
    },
    [filter, lang],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const field = (key: keyof Filter, label: string) => (
    <input
      placeholder={label}
      aria-label={label}
      value={filter[key]}
      onChange={(e) => setFilter({ ...filter, [key]: e.target.value.trim() })}
    />
  );

  return (
    <main className={styles.page}>
      <div className={own.header}>
        <span className={styles.title}>{w('title', lang)}</span>
        <span>
          <button
            className={styles.button}
            data-testid="verify"
            onClick={() =>
              void api<AuditVerifyResult>('/api/audit/verify')
                .then(setVerify)
                .catch((e: Error) => setError(e.message))
            }
          >
            {w('verify', lang)}
          </button>{' '}
          {verify &&
            (verify.ok ? (
              <span className={styles.linkLive}>
                {w('intact', lang)} · {verify.rows} {w('rowsUnit', lang)}
              </span>
            ) : (
              <span className={styles.linkDown} title={verify.reason} data-testid="verify-failed">
                {verify.problem === 'head'
                  ? w('tamperedHead', lang, verify.firstBadRow)
                  : w('tamperedRow', lang, verify.firstBadRow)}
              </span>
            ))}{' '}
          <button
            className={styles.button}
            data-testid="lang-toggle"
            onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
          >
            {w('language', lang)}
          </button>
        </span>
      </div>
      <div className={own.filters}>
        <select
          aria-label={w('action', lang)}
          data-testid="filter-action"
          value={filter.action}
          onChange={(e) => setFilter({ ...filter, action: e.target.value })}
        >
          <option value="">{w('allActions', lang)}</option>
          {Object.keys(AUDIT_ACTION_WORDS).map((a) => (
            <option key={a} value={a}>
              {auditActionLabel(a, lang)}
            </option>
          ))}
        </select>
        {field('actor', w('actorFilter', lang))}
        {field('objectId', w('objectId', lang))}
        {field('objectType', w('objectType', lang))}
        <select
          aria-label={w('result', lang)}
          value={filter.result}
          onChange={(e) => setFilter({ ...filter, result: e.target.value })}
        >
          <option value="">{w('allResults', lang)}</option>
          {['ok', 'denied', 'error'].map((r) => (
            <option key={r} value={r}>
              {auditResultLabel(r, lang)}
            </option>
          ))}
        </select>
      </div>
      {error && <div className={styles.error}>{error}</div>}
      <table className={`${styles.table} ${own.table}`} data-testid="audit-table">
        <thead>
          <tr>
            <th>#</th>
            <th data-testid="audit-time-header">
              {w('time', lang)} ({zoneLabel(tz, Date.now(), lang)})
            </th>
            <th>{w('actor', lang)}</th>
            <th>{w('action', lang)}</th>
            <th>{w('object', lang)}</th>
            <th>{w('change', lang)}</th>
            <th>{w('result', lang)}</th>
            <th>{w('address', lang)}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <AuditRowView key={r.id} row={r} names={names} lang={lang} tz={tz} />
          ))}
        </tbody>
      </table>
      {rows.length > 0 && rows.length % PAGE_ROWS === 0 && (
        <button
          className={styles.button}
          style={{ marginTop: 8 }}
          onClick={() => void load(rows[rows.length - 1]!.id)}
        >
          {w('earlier', lang)}
        </button>
      )}
    </main>
  );
}

function AuditRowView({
  row: r,
  names,
  lang,
  tz,
}: {
  row: AuditRow;
  names: IdNames;
  lang: Lang;
  tz: string;
}) {
  const diff = auditDiff(r.before, r.after);
  const hasBoth = r.before !== null && r.after !== null;
  return (
    <tr data-testid="audit-row" data-action={r.action} data-object-id={r.object_id ?? ''}>
      <td>{r.id}</td>
      <td className={own.time} data-testid="audit-time">
        {formatDateTime(r.at, tz)}
      </td>
      <td>
        <span data-testid="audit-actor">{actorLabel(r.actor, () => r.actorName, lang)}</span>
        <span className={own.code}>
          {r.actor} · {roleLabel(r.role, lang)}
        </span>
      </td>
      <td>
        <span data-testid="audit-action">{auditActionLabel(r.action, lang)}</span>
        <span className={own.code}>{r.action}</span>
      </td>
      <td>
        {objectTypeLabel(r.object_type, lang)}
        {r.object_id && <span className={own.code}>{r.object_id}</span>}
      </td>
      <td>
        {diff.length > 0 && (
          <table className={own.diff} data-testid="audit-diff">
            {hasBoth && (
              <thead>
                <tr>
                  <th>{w('field', lang)}</th>
                  <th>{w('before', lang)}</th>
                  <th>{w('after', lang)}</th>
                </tr>
              </thead>
            )}
            <tbody>
              {diff.map((d) => (
                <tr
                  key={d.field}
                  className={d.isChanged ? own.changed : undefined}
                  data-changed={d.isChanged ? 'true' : undefined}
                >
                  <td>{auditFieldLabel(d.field, lang)}</td>
                  {hasBoth || r.before !== null ? (
                    <td>{auditValueLabel(d.field, d.before, names, lang)}</td>
                  ) : null}
                  {hasBoth || r.after !== null ? (
                    <td className={own.after}>{auditValueLabel(d.field, d.after, names, lang)}</td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </td>
      <td className={own[r.result] ?? ''} data-testid="audit-result">
        {auditResultLabel(r.result, lang)}
        {r.reason && <div className={styles.muted}>{r.reason}</div>}
      </td>
      <td className={styles.muted}>{r.client_address}</td>
    </tr>
  );
}
