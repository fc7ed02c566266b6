'use client';

import { useEffect, useState, type FormEvent } from 'react';
import {
  CATEGORY_LABELS,
  INCIDENT_CATEGORIES,
  PRIORITY_LABELS,
  type IncidentCategory,
  type Priority,
} from '@/lib/domain/enums';
import {
  DEFAULT_DEPT_ACK_MS,
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

/** Words this page alone uses (the shared ones are in admin-words). */
const WORDS = {
  byPriority: { zh: '按优先级', en: 'By priority' },
  byCategory: { zh: '按事件类别（覆盖优先级时限）', en: 'By category (overrides the priority)' },
  categoryHint: {
    zh: '某类事件的某一环节填写后，该类事件不论优先级都按此时限；留空的环节按优先级时限。',
    en: 'A limit set here applies to every incident of the category, whatever its priority; blank cells follow the priority.',
  },
  category: { zh: '事件类别', en: 'Category' },
  followsPriority: { zh: '按优先级', en: 'by priority' },
  deptAck: { zh: '部门签收（分钟）', en: 'Department acknowledgement (minutes)' },
  deptAckHint: {
    zh: '交办给部门的事件须在此时限内签收（自接收起算），否则亮灯并进入超时督办。',
    en: 'An incident handed to a department must be acknowledged within this (from receipt), or its lamp lights and it is listed for supervision.',
  },
} as const;

/** The form keeps what was typed (text), so a half-typed number is never lost to re-rendering. */
interface Draft {
  yellowPercent: string;
  cells: Record<Key, Record<Milestone, string>>;
  /** Per category; '' is "no override" (the priority's limit applies). */
  categories: Record<IncidentCategory, Record<Milestone, string>>;
  /** 部门签收 per priority; '' takes the default. */
  deptAck: Record<Key, string>;
}

const cellText = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));

function toDraft(m: TimeLimitMinutes): Draft {
  const cells = {} as Draft['cells'];
  for (const k of KEYS)
    cells[k] = {
      accept: cellText(m.minutes[k].accept),
      onScene: cellText(m.minutes[k].onScene),
      resolve: cellText(m.minutes[k].resolve),
    };
  const categories = {} as Draft['categories'];
  for (const c of INCIDENT_CATEGORIES) {
    const o = m.categories?.[c];
    categories[c] = {
      accept: cellText(o?.accept),
      onScene: cellText(o?.onScene),
      resolve: cellText(o?.resolve),
    };
  }
  const deptAck = {} as Draft['deptAck'];
  for (const k of KEYS)
    deptAck[k] = cellText(m.deptAck?.[k] ?? DEFAULT_DEPT_ACK_MS[Number(k) as Priority] / 60_000);
  return { yellowPercent: String(Math.round(m.yellowRatio * 1000) / 10), cells, categories, deptAck };
}

const MINUTES_ERROR = '须为正的分钟数（不超过一年）';

/** '' → null (none / no override); a bad number → undefined (an error is recorded under `key`). */
function readCell(text: string, key: string, errors: Record<string, string>): number | null | undefined {
  const t = text.trim();
  if (t === '') return null;
  const v = Number(t);
  if (!(v > 0) || v > 525_600) {
    errors[key] = MINUTES_ERROR;
    return undefined;
  }
  return v;
}

/**
 * Reads the draft back; errors keyed `y`, `1.accept`…, `cat.fire_safety.accept`…, and `row.1`… / `cat.fire_safety`
 * for a priority or a category whose limits disagree (the same check the server makes).
 */
function fromDraft(d: Draft): { value: TimeLimitMinutes | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const y = Number(d.yellowPercent);
  if (d.yellowPercent.trim() === '' || !(y > 0 && y < 100)) errors.y = '黄灯比例须在 0 与 100 之间';
  const minutes = {} as TimeLimitMinutes['minutes'];
  for (const k of KEYS) {
    minutes[k] = { accept: null, onScene: null, resolve: null };
    for (const m of MILESTONES) {
      const v = readCell(d.cells[k][m], `${k}.${m}`, errors);
      if (v !== undefined) minutes[k][m] = v;
    }
  }
  const categories: TimeLimitMinutes['categories'] = {};
  for (const c of INCIDENT_CATEGORIES)
    for (const m of MILESTONES) {
      const v = readCell(d.categories[c][m], `cat.${c}.${m}`, errors);
      if (typeof v === 'number') categories[c] = { ...categories[c], [m]: v };
    }
  const deptAck: NonNullable<TimeLimitMinutes['deptAck']> = {};
  for (const k of KEYS) {
    const v = readCell(d.deptAck[k], `ack.${k}`, errors);
    if (typeof v === 'number') deptAck[k] = v;
  }
  if (Object.keys(errors).length > 0) return { value: null, errors };
  const value: TimeLimitMinutes = { yellowRatio: y / 100, minutes, categories, deptAck };
  for (const p of timeLimitProblems(parseTimeLimitConfig(JSON.stringify(value))))
    errors[p.category ? `cat.${p.category}` : `row.${p.priority}`] = p.message;
  return { value: Object.keys(errors).length > 0 ? null : value, errors };
}

/** One column layout for both tables, so a milestone's inputs line up whether or not a row shows an error. */
function LimitColumns() {
  return (
    <colgroup>
      <col style={{ width: 120 }} />
      {MILESTONES.map((m) => (
        <col key={m} style={{ width: '22%' }} />
      ))}
      <col />
    </colgroup>
  );
}

/** "4320" → "= 3 天": long limits are typed in minutes but read in hours and days. */
function readable(text: string, lang: 'zh' | 'en', empty?: string): string {
  const v = Number(text);
  if (text.trim() === '') return empty ?? (lang === 'zh' ? '不设时限' : 'no limit');
  if (!(v > 0) || v < 60) return '\u00a0';
  const [day, hour, minute] = lang === 'zh' ? [' 天', ' 小时', ' 分'] : [' d', ' h', ' min'];
  const d = Math.floor(v / 1440);
  const h = Math.floor((v % 1440) / 60);
  const m = Math.round(v % 60);
  return `= ${[d && `${d}${day}`, h && `${h}${hour}`, m && `${m}${minute}`].filter(Boolean).join(' ')}`;
}

/**
 * 时限设置: limits per priority and milestone in minutes, overrides per category (the rule every lamp uses:
 * the category's limit if set, else the priority's), and the yellow-lamp ratio. Applies at once.
 */
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
  const setCategoryCell = (c: IncidentCategory, m: Milestone, v: string) =>
    draft &&
    setDraft({
      ...draft,
      categories: { ...draft.categories, [c]: { ...draft.categories[c], [m]: v } },
    });

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
          <h2 className={styles.cardTitle}>{WORDS.byPriority[lang]}</h2>
          <div className={`${styles.tableWrap} ${styles.limitGrid}`}>
            <table className={styles.table}>
              <LimitColumns />
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
          <h2 className={styles.cardTitle} style={{ marginTop: 18 }}>
            {WORDS.deptAck[lang]}
          </h2>
          <p className={styles.hint}>{WORDS.deptAckHint[lang]}</p>
          <div className={styles.tableWrap}>
            <table className={styles.table} data-testid="dept-ack-limits">
              <tbody>
                <tr>
                  {KEYS.map((k) => (
                    <td key={k}>
                      <strong>{PRIORITY_LABELS[Number(k) as Priority][lang]}</strong>
                      <input
                        className={`${styles.input} ${inputClass(errors[`ack.${k}`]) ?? ''}`}
                        name={`ack.${k}`}
                        inputMode="decimal"
                        value={draft.deptAck[k]}
                        aria-label={`${PRIORITY_LABELS[Number(k) as Priority][lang]} ${WORDS.deptAck[lang]}`}
                        onChange={(e) =>
                          setDraft({ ...draft, deptAck: { ...draft.deptAck, [k]: e.target.value } })
                        }
                      />
                      {errors[`ack.${k}`] ? (
                        <div className={styles.fieldError} role="alert">
                          {errors[`ack.${k}`]}
                        </div>
                      ) : (
                        <div className={styles.hint}>{readable(draft.deptAck[k], lang)}</div>
                      )}
                    </td>
                  ))}
                </tr>
              </tbody>
            </table>
          </div>
          <h2 className={styles.cardTitle} style={{ marginTop: 18 }}>
            {WORDS.byCategory[lang]}
          </h2>
          <p className={styles.hint}>{WORDS.categoryHint[lang]}</p>
          <div className={`${styles.tableWrap} ${styles.limitGrid}`}>
            <table className={styles.table} data-testid="category-limits">
              <LimitColumns />
              <thead>
                <tr>
                  <th>{WORDS.category[lang]}</th>
                  {MILESTONES.map((m) => (
                    <th key={m}>{w(COLUMN[m], lang)}</th>
                  ))}
                  <th />
                </tr>
              </thead>
              <tbody>
                {INCIDENT_CATEGORIES.map((c) => (
                  <tr key={c} data-testid={`category-row-${c}`}>
                    <td className={styles.nowrap}>
                      <strong>{CATEGORY_LABELS[c][lang]}</strong>
                    </td>
                    {MILESTONES.map((m) => {
                      const err = errors[`cat.${c}.${m}`];
                      return (
                        <td key={m}>
                          <input
                            className={`${styles.input} ${inputClass(err) ?? ''}`}
                            name={`cat.${c}.${m}`}
                            inputMode="decimal"
                            value={draft.categories[c][m]}
                            placeholder={WORDS.followsPriority[lang]}
                            aria-label={`${CATEGORY_LABELS[c][lang]} ${w(COLUMN[m], lang)}`}
                            onChange={(e) => setCategoryCell(c, m, e.target.value)}
                          />
                          {err ? (
                            <div className={styles.fieldError} role="alert">
                              {err}
                            </div>
                          ) : (
                            <div className={styles.hint}>
                              {readable(draft.categories[c][m], lang, '\u00a0')}
                            </div>
                          )}
                        </td>
                      );
                    })}
                    <td className={styles.fieldError} data-testid={`category-error-${c}`}>
                      {errors[`cat.${c}`]}
                    </td>
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
