'use client';

import { useEffect, useState } from 'react';
import type { UnitKind, UnitPage, UnitRow, UnitStateFilter } from '@/lib/admin/unit-page';
import { CAMERA_STATUS_LABELS } from '@/lib/domain/enums';
import { WORKER_ROLE_WORDS } from '@/lib/names/unit-label';
import { formatDateTime } from '@/lib/time/display-time';
import { useLang } from '../i18n/use-lang';
import { useDisplayTz } from '../time/use-display-tz';
import { CAMERA_PROGRAM_LABELS, w } from './admin-words';
import { Banner, DataTable } from './form-parts';
import { act, useAdminData } from './use-admin-data';
import styles from './admin.module.css';

/** Rows per page: one screen of a 1080p console without scrolling far. */
const PAGE_SIZE = 50;
/** The search waits this long after the last keystroke, so typing an id is one request, not twenty. */
const SEARCH_DEBOUNCE_MS = 300;

const SEGMENT: Record<UnitKind, string> = { camera: 'cameras', worker: 'workers' };
const WORKER_STATUS_WORDS: Record<string, { zh: string; en: string }> = {
  on_duty: { zh: '在岗', en: 'On duty' },
  off_duty: { zh: '离岗', en: 'Off duty' },
};

/**
 * 视频点位与网格员: a camera or grid worker found by search (the server returns one page; a district has
 * 10,000 cameras, a province millions), and 停用 / 启用 for each. 停用 asks first: it takes the unit off
 * every wall and refuses its reports.
 */
export function UnitsSection() {
  const [lang] = useLang();
  const tz = useDisplayTz();
  const [kind, setKind] = useState<UnitKind>('camera');
  const [draft, setDraft] = useState('');
  const [q, setQ] = useState('');
  const [state, setState] = useState<UnitStateFilter>('all');
  const [page, setPage] = useState(1);
  const [pending, setPending] = useState<UnitRow | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    const timer = setTimeout(() => {
      setQ(draft.trim());
      setPage(1);
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [draft]);

  const query = new URLSearchParams({ q, state, page: String(page), pageSize: String(PAGE_SIZE) });
  const { data, error, reload } = useAdminData<UnitPage>(
    `/api/admin/devices/${SEGMENT[kind]}?${query.toString()}`,
  );
  const pages = data ? Math.max(1, Math.ceil(data.total / PAGE_SIZE)) : 1;

  const pick = (next: UnitKind) => {
    setKind(next);
    setPage(1);
    setPending(null);
  };
  async function setDisabled(row: UnitRow, isDisabled: boolean) {
    setPending(null);
    const path = `/api/admin/devices/${SEGMENT[kind]}/${encodeURIComponent(row.id)}/${isDisabled ? 'disable' : 'enable'}`;
    setNotice(await act(path, 'POST', {}));
    reload();
  }

  const typeLabel = (type: string | null) => {
    const words = kind === 'camera' ? CAMERA_PROGRAM_LABELS[type ?? ''] : WORKER_ROLE_WORDS[type ?? ''];
    return words?.[lang] ?? type ?? '—';
  };
  const liveLabel = (r: UnitRow) => {
    // A disabled unit's reports are refused, so its live state means nothing.
    if (r.disabledAt !== null) return <span className={styles.muted}>—</span>;
    if (r.status === null) return <span className={styles.muted}>{w('noReport', lang)}</span>;
    const words =
      kind === 'camera'
        ? CAMERA_STATUS_LABELS[r.isStale ? 'stale' : (r.status as keyof typeof CAMERA_STATUS_LABELS)]
        : WORKER_STATUS_WORDS[r.status];
    return (
      <>
        {words?.[lang] ?? r.status}
        <div className={styles.muted}>{formatDateTime(r.lastReportAt!, tz, false)}</div>
      </>
    );
  };

  return (
    <div className={`${styles.card} ${styles.tableWrap}`} data-testid="units">
      <h2 className={styles.cardTitle}>{w('units', lang)}</h2>
      <p className={styles.muted} style={{ marginTop: 0 }}>
        {w('unitsHint', lang)}
      </p>
      <div className={styles.actions} style={{ marginTop: 0, marginBottom: 10 }} role="tablist">
        {(['camera', 'worker'] as const).map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            aria-selected={kind === k}
            data-testid={`units-tab-${k}`}
            className={`${styles.button} ${kind === k ? '' : styles.ghost}`}
            onClick={() => pick(k)}
          >
            {w(k === 'camera' ? 'cameras' : 'workers', lang)}
          </button>
        ))}
        <input
          className={styles.input}
          placeholder={w('unitSearch', lang)}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          style={{ minWidth: 280 }}
          data-testid="units-search"
        />
        <select
          className={styles.input}
          value={state}
          onChange={(e) => {
            setState(e.target.value as UnitStateFilter);
            setPage(1);
          }}
          data-testid="units-state"
        >
          <option value="all">{w('stateAll', lang)}</option>
          <option value="enabled">{w('enabled', lang)}</option>
          <option value="disabled">{w('disabled', lang)}</option>
        </select>
        {data && (
          <span className={styles.muted} data-testid="units-total">
            {w('total', lang)} {data.total}
            {data.isTotalCapped ? '+' : ''} {w('rows', lang)}
          </span>
        )}
      </div>
      {error && <Banner kind="error">{error}</Banner>}
      {notice && <Banner kind="error">{notice}</Banner>}
      {pending && (
        <div
          className={`${styles.banner} ${styles.bannerError}`}
          role="alertdialog"
          data-testid="unit-confirm"
        >
          {w('disable', lang)} <strong>{pending.name ?? pending.id}</strong>{' '}
          <span className={styles.mono}>{pending.id}</span>？{w('confirmUnitDisableText', lang)}
          <div className={styles.actions}>
            <button
              type="button"
              className={`${styles.button} ${styles.danger} ${styles.small}`}
              onClick={() => void setDisabled(pending, true)}
              data-testid="unit-confirm-disable"
            >
              {w('confirmUnitDisable', lang)}
            </button>
            <button
              type="button"
              className={`${styles.button} ${styles.ghost} ${styles.small}`}
              onClick={() => setPending(null)}
            >
              {w('cancel', lang)}
            </button>
          </div>
        </div>
      )}
      {data && (
        <DataTable
          headers={[
            w('nameId', lang),
            w('unitType', lang),
            w('grid', lang),
            w('status', lang),
            w('liveStatus', lang),
            w('actions', lang),
          ]}
          isEmpty={data.rows.length === 0}
          emptyText={w('empty', lang)}
          testId="units-table"
        >
          {data.rows.map((r) => (
            <tr
              key={r.id}
              data-testid="unit-row"
              data-id={r.id}
              data-disabled={r.disabledAt === null ? '0' : '1'}
            >
              <td>
                {r.name ?? r.id}
                {r.isUnassigned && (
                  <span className={`${styles.badge} ${styles.warn}`}> {w('unassigned', lang)}</span>
                )}
                <div className={`${styles.mono} ${styles.muted}`}>{r.id}</div>
              </td>
              <td className={styles.nowrap}>{typeLabel(r.type)}</td>
              <td className={styles.mono}>{r.gridCode ?? '—'}</td>
              <td data-testid="unit-state">
                {r.disabledAt === null ? (
                  <span className={`${styles.badge} ${styles.ok}`}>{w('enabled', lang)}</span>
                ) : (
                  <>
                    <span className={`${styles.badge} ${styles.off}`}>{w('disabled', lang)}</span>
                    <div className={`${styles.muted} ${styles.nowrap}`}>
                      {w('since', lang)} {formatDateTime(r.disabledAt, tz, false)} {w('sinceEnd', lang)}
                    </div>
                  </>
                )}
              </td>
              <td className={styles.nowrap}>{liveLabel(r)}</td>
              <td>
                {r.disabledAt === null ? (
                  <button
                    type="button"
                    className={`${styles.button} ${styles.danger} ${styles.small}`}
                    onClick={() => setPending(r)}
                    data-testid="unit-disable"
                  >
                    {w('disable', lang)}
                  </button>
                ) : (
                  <button
                    type="button"
                    className={`${styles.button} ${styles.ghost} ${styles.small}`}
                    onClick={() => void setDisabled(r, false)}
                    data-testid="unit-enable"
                  >
                    {w('enable', lang)}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {data && pages > 1 && (
        <div className={styles.actions} data-testid="units-pager">
          <button
            type="button"
            className={`${styles.button} ${styles.ghost} ${styles.small}`}
            disabled={page <= 1}
            onClick={() => setPage(page - 1)}
          >
            {w('prevPage', lang)}
          </button>
          <span className={styles.muted}>
            {w('pageBefore', lang)} {page} / {pages}
            {data.isTotalCapped ? '+' : ''} {w('pageAfter', lang)}
          </span>
          <button
            type="button"
            className={`${styles.button} ${styles.ghost} ${styles.small}`}
            disabled={page >= pages && !data.isTotalCapped}
            onClick={() => setPage(page + 1)}
            data-testid="units-next"
          >
            {w('nextPage', lang)}
          </button>
        </div>
      )}
    </div>
  );
}
