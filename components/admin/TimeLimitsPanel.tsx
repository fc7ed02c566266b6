'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { PRIORITY_LABELS, type Priority } from '@/lib/domain/enums';
import {
  MILESTONES,
  parseTimeLimitConfig,
  timeLimitProblems,
  type Milestone,
  type TimeLimitMinutes,
} from '@/lib/domain/time-limits';
import { formatDateTime } from '@/lib/time/display-time';
import { api } from '../dispatch/api';
import { useLang } from '../i18n/use-lang';
import { useDisplayTz } from '../time/use-display-tz';
import { colon, w, type AdminWord } from './admin-words';
import { Banner, Field, PageHeader, inputClass } from './form-parts';
import { useAdminData } from './use-admin-data';
import styles from './admin.module.css';

type Answer = TimeLimitMinutes & { updatedAt: number | null; defaults: TimeLimitMinutes };
type Key = '1' | '2' | '3' | '4';
const KEYS: Key[] = ['1', '2', '3', '4'];
const COLUMN: Record<Milestone, AdminWord> = {
  accept: 'acceptMin',
  onScene: 'onSceneMin',
  resolve: 'resolveMin',
};

/** The form keeps what was typed (text), so a half-typed number is never lost to re-rendering. */
interface Draft {
  yellowPercent: string;
  cells: Record<Key, Record<Milestone, string>>;
}

function toDraft(m: TimeLimitMinutes): Draft {
  const cells = {} as Draft['cells'];
  for (const k of KEYS)
    cells[k] = {
      accept: m.minutes[k].accept === null ? '' : String(m.minutes[k].accept),
      onScene: m.minutes[k].onScene === null ? '' : String(m.minutes[k].onScene),
      resolve: m.minutes[k].resolve === null ? '' : String(m.minutes[k].resolve),
    };
  return { yellowPercent: String(Math.round(m.yellowRatio * 1000) / 10), cells };
}

/** Reads the draft back; errors keyed `y`, `1.accept`…, and `row.1`… for a priority whose limits disagree. */
function fromDraft(d: Draft): { value: TimeLimitMinutes | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const y = Number(d.yellowPercent);
  if (d.yellowPercent.trim() === '' || !(y > 0 && y < 100)) errors.y = '黄灯比例须在 0 与 100 之间';
  const minutes = {} as TimeLimitMinutes['minutes'];
  for (const k of KEYS) {
    minutes[k] = { accept: null, onScene: null, resolve: null };
    for (const m of MILESTONES) {
      const text = d.cells[k][m].trim();
      if (text === '') continue;
      const v = Number(text);
      if (!(v > 0) || v > 525_600) errors[`${k}.${m}`] = '须为正的分钟数（不超过一年）';
      else minutes[k][m] = v;
    }
  }
  if (Object.keys(errors).length > 0) return { value: null, errors };
  const value = { yellowRatio: y / 100, minutes };
  for (const p of timeLimitProblems(parseTimeLimitConfig(JSON.stringify(value))))
    errors[`row.${p.priority}`] = p.message;
  return { value: Object.keys(errors).length > 0 ? null : value, errors };
}

/** "4320" → "= 3 天": long limits are typed in minutes but read in hours and days. */
function readable(text: string, lang: 'zh' | 'en'): string {
  const v = Number(text);
  if (text.trim() === '') return lang === 'zh' ? '不设时限' : 'no limit';
  if (!(v > 0) || v < 60) return '\u00a0';
  const [day, hour, minute] = lang === 'zh' ? [' 天', ' 小时', ' 分'] : [' d', ' h', ' min'];
  const d = Math.floor(v / 1440);
  const h = Math.floor((v % 1440) / 60);
  const m = Math.round(v % 60);
  return `= ${[d && `${d}${day}`, h && `${h}${hour}`, m && `${m}${minute}`].filter(Boolean).join(' ')}`;
}

/** 时限设置: limits per priority and milestone in minutes, and the yellow-lamp ratio. Applies at once. */
export function TimeLimitsPanel() {
  const [lang] = useLang();
  const tz = useDisplayTz();
  const { data, error, reload } = useAdminData<Answer>('/api/admin/time-limits');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  useEffect(() => {
    if (data) setDraft(toDraft(data));
  }, [data]);

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    if (!draft) return;
    const { value, errors: found } = fromDraft(draft);
    setErrors(found);
    if (!value) return;
    try {
      await api('/api/admin/time-limits', { method: 'PUT', body: value });
      setNotice({ kind: 'ok', text: w('saved', lang) });
      reload();
    } catch (e) {
      setNotice({ kind: 'error', text: (e as Error).message });
    }
  }

  const setCell = (k: Key, m: Milestone, v: string) =>
    draft && setDraft({ ...draft, cells: { ...draft.cells, [k]: { ...draft.cells[k], [m]: v } } });

  return (
    <>
      <PageHeader title={w('timeLimits', lang)} subtitle={w('timeLimitsSub', lang)} />
      {error && <Banner kind="error">{error}</Banner>}
      {notice && <Banner kind={notice.kind}>{notice.text}</Banner>}
      {data && draft && (
        <form
          className={styles.card}
          onSubmit={(e) => void onSubmit(e)}
          noValidate
          data-testid="time-limits-form"
        >
          <p className={styles.hint}>
            {w('lastSaved', lang)}
            {colon(lang)}
            {data.updatedAt === null
              ? w('neverSaved', lang)
              : formatDateTime(data.updatedAt, tz, false)} · {w('noLimit', lang)}
          </p>
          <div className={`${styles.tableWrap} ${styles.limitGrid}`}>
            <table className={styles.table}>
              <thead>
                <tr>
                  <th>{w('priority', lang)}</th>
                  {MILESTONES.map((m) => (
                    <th key={m}>{w(COLUMN[m], lang)}</th>
                  ))}
                  <th />
                </tr>
              </thead>
              <tbody>
                {KEYS.map((k) => (
                  <tr key={k} data-testid={`limits-row-${k}`}>
                    <td className={styles.nowrap}>
                      <strong>{PRIORITY_LABELS[Number(k) as Priority][lang]}</strong>
                    </td>
                    {MILESTONES.map((m) => {
                      const err = errors[`${k}.${m}`];
                      const def = data.defaults.minutes[k][m];
                      return (
                        <td key={m}>
                          <input
                            className={`${styles.input} ${inputClass(err) ?? ''}`}
                            name={`${k}.${m}`}
                            inputMode="decimal"
                            value={draft.cells[k][m]}
                            placeholder={def === null ? '—' : String(def)}
                            aria-label={`${PRIORITY_LABELS[Number(k) as Priority][lang]} ${w(COLUMN[m], lang)}`}
                            onChange={(e) => setCell(k, m, e.target.value)}
                          />
                          {err ? (
                            <div className={styles.fieldError} role="alert">
                              {err}
                            </div>
                          ) : (
                            <div className={styles.hint}>{readable(draft.cells[k][m], lang)}</div>
                          )}
                        </td>
                      );
                    })}
                    <td className={styles.fieldError}>{errors[`row.${k}`]}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className={styles.form} style={{ marginTop: 14 }}>
            <Field label={w('yellowRatio', lang)} error={errors.y} hint={w('yellowHint', lang)}>
              <input
                name="yellowPercent"
                inputMode="decimal"
                value={draft.yellowPercent}
                className={inputClass(errors.y)}
                onChange={(e) => setDraft({ ...draft, yellowPercent: e.target.value })}
              />
            </Field>
          </div>
          <div className={styles.actions}>
            <button type="submit" className={styles.button} data-testid="time-limits-save">
              {w('save', lang)}
            </button>
            <button
              type="button"
              className={`${styles.button} ${styles.ghost}`}
              onClick={() => {
                setDraft(toDraft(data.defaults));
                setErrors({});
              }}
            >
              {w('defaults', lang)}
            </button>
          </div>
        </form>
      )}
    </>
  );
}
