'use client';

import { useCallback, useEffect, useState } from 'react';
import { REPORT_PERIOD_LABELS, type ReportPeriod } from '@/lib/reports/report-period';
import type { Lang } from '@/lib/wall/i18n';
import { wallFetch } from './use-wall-data';
import styles from './ReportsMenu.module.css';

/** One generated report as GET /api/reports lists it. */
interface ReportItem {
  name: string;
  regionCode: string | null;
  regionName: string | null;
  period: ReportPeriod;
  date: string;
  bytes: number;
}

const WORDS = {
  button: { zh: '简报', en: 'Reports' },
  title: { zh: '简报（已生成）', en: 'Generated briefings' },
  generate: { zh: '生成当日简报', en: 'Generate today’s briefing' },
  generating: { zh: '正在生成…', en: 'Generating…' },
  empty: { zh: '暂无已生成的简报', en: 'No briefing generated yet' },
  failed: { zh: '生成失败', en: 'Generation failed' },
  loadFailed: { zh: '列表读取失败', en: 'Could not load the list' },
  whole: { zh: '全域', en: 'Whole territory' },
} as const;
const w = (k: keyof typeof WORDS, lang: Lang) => WORDS[k][lang];

/** Roles that may write a report file (the server decides; this only hides a button that would be refused). */
const GENERATORS = new Set(['admin', 'leader']);

/**
 * The 简报 button of briefing mode: the generated reports (scoped by the server to this screen's principal)
 * with downloads, and for leaders and administrators a 生成当日简报 action for this wall's region.
 * Downloads go through fetch: a display token travels in a header, which a plain link cannot send.
 */
export function ReportsMenu({ lang, regionCode }: { lang: Lang; regionCode: string | null }) {
  const [isOpen, setIsOpen] = useState(false);
  const [items, setItems] = useState<ReportItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [canGenerate, setCanGenerate] = useState(false);
  const [isBusy, setIsBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const r = await wallFetch('/api/reports');
      if (!r.ok) throw new Error(String(r.status));
      setItems(((await r.json()) as { reports: ReportItem[] }).reports);
      setError(null);
    } catch {
      setError(w('loadFailed', lang));
    }
  }, [lang]);

  useEffect(() => {
    if (!isOpen) return;
    void load();
    void wallFetch('/api/session')
      .then((r) => (r.ok ? (r.json() as Promise<{ role?: string; isDisplay?: boolean }>) : null))
      .then((me) => setCanGenerate(!!me && !me.isDisplay && GENERATORS.has(me.role ?? '')))
      .catch(() => setCanGenerate(false));
  }, [isOpen, load]);

  const onGenerate = async () => {
    setIsBusy(true);
    try {
      const r = await wallFetch('/api/reports/generate', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ region: regionCode, period: 'day' }),
      });
      if (!r.ok) throw new Error(String(r.status));
      await load();
    } catch {
      setError(w('failed', lang));
    } finally {
      setIsBusy(false);
    }
  };

  const onDownload = async (item: ReportItem) => {
    const r = await wallFetch(`/api/reports/files/${encodeURIComponent(item.name)}`);
    if (!r.ok) return setError(w('loadFailed', lang));
    const url = URL.createObjectURL(await r.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = item.name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <div className={styles.root}>
      <button
        className={isOpen ? styles.on : ''}
        onClick={() => setIsOpen(!isOpen)}
        data-testid="reports-toggle"
      >
        {w('button', lang)}
      </button>
      {isOpen ? (
        <div className={styles.menu} data-testid="reports-menu">
          <div className={styles.head}>
            <b>{w('title', lang)}</b>
            {canGenerate ? (
              <button onClick={() => void onGenerate()} disabled={isBusy} data-testid="reports-generate">
                {isBusy ? w('generating', lang) : w('generate', lang)}
              </button>
            ) : null}
          </div>
          {error ? <p className={styles.error}>{error}</p> : null}
          {items && items.length === 0 ? <p className={styles.empty}>{w('empty', lang)}</p> : null}
          <ul>
            {(items ?? []).map((it) => (
              <li key={it.name}>
                <button onClick={() => void onDownload(it)} title={it.name}>
                  <span className={styles.kind}>{REPORT_PERIOD_LABELS[it.period][lang]}</span>
                  <span>{it.date}</span>
                  <span className={styles.region}>{it.regionName ?? w('whole', lang)}</span>
                  <span className={styles.size}>{Math.max(1, Math.round(it.bytes / 1024))} KB</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
