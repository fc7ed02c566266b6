'use client';

import { useState } from 'react';
import { IMPORT_KINDS, type ImportKind, type ImportResult } from '@/lib/import/issues';
import { formatDateTime } from '@/lib/time/display-time';
import { useLang } from '../i18n/use-lang';
import { useDisplayTz } from '../time/use-display-tz';
import { IMPORT_KIND_LABELS, w } from './admin-words';
import { Banner, Field, PageHeader } from './form-parts';
import { useAdminData } from './use-admin-data';
import styles from './admin.module.css';

interface RunRow {
  id: number;
  kind: string;
  fileName: string | null;
  created: number;
  updated: number;
  unchanged: number;
  actor: string;
  at: number;
}

/** POSTs the file's bytes as the import API takes them; the answer, or the server's refusal as an Error. */
async function postImport(kind: ImportKind, file: File, isDryRun: boolean): Promise<ImportResult> {
  const res = await fetch(`/api/admin/import/${kind}${isDryRun ? '?dryRun=1' : ''}`, {
    method: 'POST',
    headers: { 'x-file-name': encodeURIComponent(file.name), 'content-type': 'application/octet-stream' },
    body: file,
    credentials: 'same-origin',
  });
  const data = (await res.json().catch(() => ({}))) as ImportResult & { error?: string };
  if (!res.ok) throw new Error(data.error ?? `请求失败 (${res.status})`);
  return data;
}

/** 数据导入: pick a kind and a file, check it (dry run: nothing written), then import; past runs below. */
export function ImportsPanel() {
  const [lang] = useLang();
  const tz = useDisplayTz();
  const runs = useAdminData<{ runs: RunRow[] }>('/api/admin/imports');
  const [kind, setKind] = useState<ImportKind>('territory');
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  async function run(isDryRun: boolean) {
    if (!file) return setProblem('请选择文件');
    setIsBusy(true);
    setProblem(null);
    try {
      setResult(await postImport(kind, file, isDryRun));
      if (!isDryRun) runs.reload();
    } catch (e) {
      setResult(null);
      setProblem((e as Error).message);
    } finally {
      setIsBusy(false);
    }
  }

  const canImport = result?.dryRun === true && result.errors.length === 0 && result.kind === kind;
  const kindLabel = (k: string) =>
    (IMPORT_KIND_LABELS as Record<string, { zh: string; en: string }>)[k]?.[lang] ?? k;

  return (
    <>
      <PageHeader title={w('imports', lang)} subtitle={w('importsSub', lang)} />
      {runs.status === 404 && <Banner kind="error">{w('importsMissing', lang)}</Banner>}
      <div className={styles.card}>
        <div className={styles.form}>
          <Field label={w('importKind', lang)}>
            <select
              name="kind"
              value={kind}
              onChange={(e) => {
                setKind(e.target.value as ImportKind);
                setResult(null);
              }}
            >
              {IMPORT_KINDS.map((k) => (
                <option key={k} value={k}>
                  {kindLabel(k)}
                </option>
              ))}
            </select>
          </Field>
          <Field label={w('file', lang)} error={problem ?? undefined} hint={w('seeFormats', lang)}>
            <input
              name="file"
              type="file"
              accept=".geojson,.json,.zip,.shp,.csv,.xlsx"
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                setResult(null);
                setProblem(null);
              }}
            />
          </Field>
        </div>
        <div className={styles.actions}>
          <button
            type="button"
            className={styles.button}
            disabled={!file || isBusy}
            onClick={() => void run(true)}
            data-testid="import-dry-run"
          >
            {w('dryRun', lang)}
          </button>
          <button
            type="button"
            className={`${styles.button} ${styles.ghost}`}
            disabled={!canImport || isBusy}
            onClick={() => void run(false)}
            data-testid="import-run"
          >
            {w('runImport', lang)}
          </button>
        </div>
      </div>

      {result && (
        <div className={styles.card} data-testid="import-result">
          <Banner kind={result.errors.length > 0 ? 'error' : 'ok'}>
            {result.errors.length > 0
              ? w('dryRunBad', lang)
              : result.dryRun
                ? w('dryRunOk', lang)
                : w('imported', lang)}
          </Banner>
          <div className={styles.stats}>
            {(['created', 'updated', 'unchanged'] as const).map((k) => (
              <div className={styles.stat} key={k} data-testid={`import-${k}`}>
                <b>{result[k]}</b>
                <span>{w(k, lang)}</span>
              </div>
            ))}
            <div className={styles.stat}>
              <b>{result.errors.length + result.moreErrors}</b>
              <span>{w('errors', lang)}</span>
            </div>
            <div className={styles.stat}>
              <b>{result.warnings.length + result.moreWarnings}</b>
              <span>{w('warnings', lang)}</span>
            </div>
          </div>
          {result.errors.length > 0 && (
            <IssueTable
              title={w('errors', lang)}
              issues={result.errors}
              more={result.moreErrors}
              lang={lang}
              testId="import-errors"
            />
          )}
          {result.warnings.length > 0 && (
            <IssueTable
              title={w('warnings', lang)}
              issues={result.warnings}
              more={result.moreWarnings}
              lang={lang}
              testId="import-warnings"
            />
          )}
        </div>
      )}

      <div className={`${styles.card} ${styles.tableWrap}`}>
        <h2 className={styles.cardTitle}>{w('pastRuns', lang)}</h2>
        <table className={styles.table} data-testid="import-runs">
          <thead>
            <tr>
              <th>{w('at', lang)}</th>
              <th>{w('importKind', lang)}</th>
              <th>{w('fileName', lang)}</th>
              <th>{w('created', lang)}</th>
              <th>{w('updated', lang)}</th>
              <th>{w('unchanged', lang)}</th>
              <th>{w('actor', lang)}</th>
            </tr>
          </thead>
          <tbody>
            {runs.data?.runs.map((r) => (
              <tr key={r.id}>
                <td className={styles.nowrap}>{formatDateTime(r.at, tz, false)}</td>
                <td>{kindLabel(r.kind)}</td>
                <td className={styles.mono}>{r.fileName ?? '—'}</td>
                <td>{r.created}</td>
                <td>{r.updated}</td>
                <td>{r.unchanged}</td>
                <td className={styles.mono}>{r.actor}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {runs.data?.runs.length === 0 && <p className={styles.empty}>{w('empty', lang)}</p>}
      </div>
    </>
  );
}

function IssueTable(props: {
  title: string;
  issues: { at: string; field?: string; message: string }[];
  more: number;
  lang: 'zh' | 'en';
  testId: string;
}) {
  const { lang } = props;
  return (
    <>
      <h3 className={styles.cardTitle}>{props.title}</h3>
      <div className={styles.tableWrap}>
        <table className={styles.table} data-testid={props.testId}>
          <thead>
            <tr>
              <th>{w('place', lang)}</th>
              <th>{w('fieldName', lang)}</th>
              <th>{w('message', lang)}</th>
            </tr>
          </thead>
          <tbody>
            {props.issues.map((i, k) => (
              <tr key={k}>
                <td className={styles.mono}>{i.at}</td>
                <td className={styles.mono}>{i.field ?? '—'}</td>
                <td>{i.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.more > 0 && <p className={styles.muted}>…+{props.more}</p>}
    </>
  );
}
