'use client';

import { useState, type FormEvent } from 'react';
import { DEPARTMENT_KIND_LABELS, DepartmentSchema, fieldErrors, type Department } from '@/lib/admin/schemas';
import { CATEGORY_LABELS, INCIDENT_CATEGORIES, type IncidentCategory } from '@/lib/domain/enums';
import { DEPARTMENT_KINDS } from '@/lib/world/world-types';
import { useLang } from '../i18n/use-lang';
import { colon, w } from './admin-words';
import { Banner, Field, PageHeader, inputClass } from './form-parts';
import { act, useAdminData } from './use-admin-data';
import styles from './admin.module.css';

interface Draft {
  id: string;
  name: string;
  kind: string;
  regionCode: string;
  phone: string;
  categories: IncidentCategory[];
}
const EMPTY: Draft = { id: '', name: '', kind: '', regionCode: '', phone: '', categories: [] };

/** 职能部门: the departments dispatch recommends, with a create / edit form over the table. */
export function DepartmentsPanel() {
  const [lang] = useLang();
  const { data, error, reload } = useAdminData<{ departments: Department[] }>('/api/admin/departments');
  const [editing, setEditing] = useState<'new' | string | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<string | null>(null);

  const open = (d: Department | null) => {
    setEditing(d ? d.id : 'new');
    setErrors({});
    setNotice(null);
    setDraft(
      d
        ? {
            ...d,
            regionCode: d.regionCode ?? '',
            phone: d.phone ?? '',
            kind: d.kind,
            categories: [...d.categories],
          }
        : EMPTY,
    );
  };

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    const parsed = DepartmentSchema.safeParse(draft);
    if (!parsed.success) return setErrors(fieldErrors(parsed.error));
    const isNew = editing === 'new';
    const problem = await act(
      isNew ? '/api/admin/departments' : `/api/admin/departments/${encodeURIComponent(parsed.data.id)}`,
      isNew ? 'POST' : 'PUT',
      parsed.data,
    );
    if (problem) return setErrors({ _: problem });
    setEditing(null);
    setNotice(w('saved', lang));
    reload();
  }

  const toggle = (c: IncidentCategory) =>
    setDraft({
      ...draft,
      categories: draft.categories.includes(c)
        ? draft.categories.filter((x) => x !== c)
        : [...draft.categories, c],
    });

  return (
    <>
      <PageHeader title={w('departments', lang)} subtitle={w('departmentsSub', lang)}>
        <button
          type="button"
          className={styles.button}
          onClick={() => open(null)}
          data-testid="new-department"
        >
          {w('newDepartment', lang)}
        </button>
      </PageHeader>
      {error && <Banner kind="error">{error}</Banner>}
      {notice && <Banner kind="ok">{notice}</Banner>}

      {editing && (
        <form
          className={styles.card}
          onSubmit={(e) => void onSubmit(e)}
          noValidate
          data-testid="department-form"
        >
          <h2 className={styles.cardTitle}>
            {editing === 'new'
              ? w('newDepartment', lang)
              : `${w('editDepartment', lang)}${colon(lang)}${draft.name}`}
          </h2>
          {errors._ && <Banner kind="error">{errors._}</Banner>}
          <div className={styles.form}>
            <Field label={w('deptId', lang)} error={errors.id}>
              <input
                name="id"
                value={draft.id}
                disabled={editing !== 'new'}
                onChange={(e) => setDraft({ ...draft, id: e.target.value })}
                className={inputClass(errors.id)}
              />
            </Field>
            <Field label={w('deptName', lang)} error={errors.name}>
              <input
                name="name"
                value={draft.name}
                onChange={(e) => setDraft({ ...draft, name: e.target.value })}
                className={inputClass(errors.name)}
              />
            </Field>
            <Field label={w('kind', lang)} error={errors.kind}>
              <select
                name="kind"
                value={draft.kind}
                onChange={(e) => setDraft({ ...draft, kind: e.target.value })}
                className={inputClass(errors.kind)}
              >
                <option value="">—</option>
                {DEPARTMENT_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {DEPARTMENT_KIND_LABELS[k][lang]}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={w('region', lang)} error={errors.regionCode} hint={w('regionHint', lang)}>
              <input
                name="regionCode"
                value={draft.regionCode}
                onChange={(e) => setDraft({ ...draft, regionCode: e.target.value })}
                className={inputClass(errors.regionCode)}
                inputMode="numeric"
              />
            </Field>
            <Field label={w('deptPhone', lang)} error={errors.phone}>
              <input
                name="phone"
                value={draft.phone}
                onChange={(e) => setDraft({ ...draft, phone: e.target.value })}
                className={inputClass(errors.phone)}
              />
            </Field>
            <Field label={w('categories', lang)} error={errors.categories} wide>
              <span className={styles.checks}>
                {INCIDENT_CATEGORIES.map((c) => (
                  <label key={c}>
                    <input
                      type="checkbox"
                      checked={draft.categories.includes(c)}
                      onChange={() => toggle(c)}
                    />
                    {CATEGORY_LABELS[c][lang]}
                  </label>
                ))}
              </span>
            </Field>
          </div>
          <div className={styles.actions}>
            <button type="submit" className={styles.button} data-testid="department-save">
              {w('save', lang)}
            </button>
            <button
              type="button"
              className={`${styles.button} ${styles.ghost}`}
              onClick={() => setEditing(null)}
            >
              {w('cancel', lang)}
            </button>
          </div>
        </form>
      )}

      <div className={`${styles.card} ${styles.tableWrap}`}>
        <table className={styles.table} data-testid="departments-table">
          <thead>
            <tr>
              <th>{w('deptId', lang)}</th>
              <th>{w('deptName', lang)}</th>
              <th>{w('kind', lang)}</th>
              <th>{w('region', lang)}</th>
              <th>{w('deptPhone', lang)}</th>
              <th>{w('categories', lang)}</th>
              <th>{w('actions', lang)}</th>
            </tr>
          </thead>
          <tbody>
            {data?.departments.map((d) => (
              <tr key={d.id} data-testid="department-row">
                <td className={styles.mono}>{d.id}</td>
                <td>{d.name}</td>
                <td className={styles.nowrap}>{DEPARTMENT_KIND_LABELS[d.kind]?.[lang] ?? d.kind}</td>
                <td className={styles.mono}>
                  {d.regionCode ?? <span className={styles.muted}>{w('all', lang)}</span>}
                </td>
                <td className={styles.nowrap}>{d.phone ?? <span className={styles.muted}>—</span>}</td>
                <td>
                  {d.categories.map((c) => CATEGORY_LABELS[c]?.[lang] ?? c).join('、') || (
                    <span className={styles.muted}>—</span>
                  )}
                </td>
                <td>
                  <button
                    type="button"
                    className={`${styles.button} ${styles.ghost} ${styles.small}`}
                    onClick={() => open(d)}
                  >
                    {w('edit', lang)}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data?.departments.length === 0 && <p className={styles.empty}>{w('empty', lang)}</p>}
      </div>
    </>
  );
}
