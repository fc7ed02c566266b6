'use client';

import { useState, type FormEvent } from 'react';
import {
  NewUserSchema,
  PasswordResetSchema,
  ROLE_LABELS,
  ROLE_VALUES,
  UserChangeSchema,
  fieldErrors,
  type AdminRole,
  type UserRow,
} from '@/lib/admin/schemas';
import { formatDateTime } from '@/lib/time/display-time';
import { useLang } from '../i18n/use-lang';
import { useDisplayTz } from '../time/use-display-tz';
import { colon, w } from './admin-words';
import { Banner, Field, PageHeader, inputClass } from './form-parts';
import { act, useAdminData } from './use-admin-data';
import styles from './admin.module.css';

type Editor =
  { mode: 'create' } | { mode: 'edit'; user: UserRow } | { mode: 'password'; user: UserRow } | null;

interface Draft {
  username: string;
  displayName: string;
  role: AdminRole | '';
  regionCode: string;
  workerId: string;
  departmentId: string;
  password: string;
}

const EMPTY: Draft = {
  username: '',
  displayName: '',
  role: '',
  regionCode: '',
  workerId: '',
  departmentId: '',
  password: '',
};

/** 用户管理: the account table, and one editor above it (create, edit, or reset a password). */
export function UsersPanel() {
  const [lang] = useLang();
  const tz = useDisplayTz();
  const { data, error, reload } = useAdminData<{ users: UserRow[] }>('/api/users');
  const [editor, setEditor] = useState<Editor>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  const open = (e: Editor) => {
    setEditor(e);
    setErrors({});
    setNotice(null);
    if (e?.mode === 'edit')
      setDraft({
        ...EMPTY,
        displayName: e.user.displayName ?? '',
        role: e.user.role,
        regionCode: e.user.regionCode ?? '',
      });
    else setDraft(EMPTY);
  };

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    if (!editor) return;
    let path: string;
    let method: string;
    let body: unknown;
    if (editor.mode === 'create') {
      const parsed = NewUserSchema.safeParse(draft);
      if (!parsed.success) return setErrors(fieldErrors(parsed.error));
      [path, method, body] = ['/api/users', 'POST', parsed.data];
    } else if (editor.mode === 'edit') {
      const parsed = UserChangeSchema.safeParse({
        role: draft.role,
        displayName: draft.displayName,
        regionCode: draft.regionCode,
      });
      if (!parsed.success) return setErrors(fieldErrors(parsed.error));
      [path, method, body] = [`/api/users/${encodeURIComponent(editor.user.username)}`, 'PUT', parsed.data];
    } else {
      const parsed = PasswordResetSchema.safeParse({ password: draft.password });
      if (!parsed.success) return setErrors(fieldErrors(parsed.error));
      [path, method, body] = [
        `/api/users/${encodeURIComponent(editor.user.username)}/password`,
        'POST',
        parsed.data,
      ];
    }
    setIsBusy(true);
    const problem = await act(path, method, body);
    setIsBusy(false);
    if (problem) return setErrors({ _: problem });
    setNotice({ kind: 'ok', text: w('saved', lang) });
    setEditor(null);
    reload();
  }

  async function run(path: string, confirmText?: string) {
    if (confirmText && !window.confirm(confirmText)) return;
    const problem = await act(path, 'POST', {});
    setNotice(problem ? { kind: 'error', text: problem } : { kind: 'ok', text: w('saved', lang) });
    reload();
  }

  const set = (k: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft({ ...draft, [k]: e.target.value });
  const roleLabel = (r: AdminRole) => ROLE_LABELS[r][lang];
  const now = Date.now();

  return (
    <>
      <PageHeader title={w('users', lang)} subtitle={w('usersSub', lang)}>
        <button
          type="button"
          className={styles.button}
          onClick={() => open({ mode: 'create' })}
          data-testid="new-user"
        >
          {w('newUser', lang)}
        </button>
      </PageHeader>
      {notice && <Banner kind={notice.kind}>{notice.text}</Banner>}
      {error && <Banner kind="error">{error}</Banner>}

      {editor && (
        <form className={styles.card} onSubmit={(e) => void onSubmit(e)} noValidate data-testid="user-form">
          <h2 className={styles.cardTitle}>
            {editor.mode === 'create'
              ? w('newUser', lang)
              : `${editor.mode === 'edit' ? w('editUser', lang) : w('resetPassword', lang)}${colon(lang)}${editor.user.username}`}
          </h2>
          {errors._ && <Banner kind="error">{errors._}</Banner>}
          <div className={styles.form}>
            {editor.mode === 'create' && (
              <Field label={w('username', lang)} error={errors.username}>
                <input
                  name="username"
                  value={draft.username}
                  onChange={set('username')}
                  className={inputClass(errors.username)}
                  autoComplete="off"
                />
              </Field>
            )}
            {editor.mode !== 'password' && (
              <>
                <Field label={w('displayName', lang)} error={errors.displayName}>
                  <input
                    name="displayName"
                    value={draft.displayName}
                    onChange={set('displayName')}
                    className={inputClass(errors.displayName)}
                  />
                </Field>
                <Field label={w('role', lang)} error={errors.role}>
                  <select
                    name="role"
                    value={draft.role}
                    onChange={set('role')}
                    className={inputClass(errors.role)}
                  >
                    <option value="">—</option>
                    {ROLE_VALUES.map((r) => (
                      <option key={r} value={r}>
                        {roleLabel(r)}
                      </option>
                    ))}
                  </select>
                </Field>
                <Field label={w('region', lang)} error={errors.regionCode} hint={w('regionHint', lang)}>
                  <input
                    name="regionCode"
                    value={draft.regionCode}
                    onChange={set('regionCode')}
                    className={inputClass(errors.regionCode)}
                    inputMode="numeric"
                  />
                </Field>
                {editor.mode === 'create' && draft.role === 'worker' && (
                  <Field label={w('workerId', lang)} error={errors.workerId} hint={w('workerIdHint', lang)}>
                    <input
                      name="workerId"
                      value={draft.workerId}
                      onChange={set('workerId')}
                      className={inputClass(errors.workerId)}
                    />
                  </Field>
                )}
                {editor.mode === 'create' && draft.role === 'department' && (
                  <Field
                    label={w('departmentId', lang)}
                    error={errors.departmentId}
                    hint={w('departmentIdHint', lang)}
                  >
                    <input
                      name="departmentId"
                      value={draft.departmentId}
                      onChange={set('departmentId')}
                      className={inputClass(errors.departmentId)}
                    />
                  </Field>
                )}
              </>
            )}
            {editor.mode !== 'edit' && (
              <Field
                label={editor.mode === 'create' ? w('password', lang) : w('newPassword', lang)}
                error={errors.password}
                hint={w('passwordHint', lang)}
              >
                <input
                  name="password"
                  type="password"
                  value={draft.password}
                  onChange={set('password')}
                  className={inputClass(errors.password)}
                  autoComplete="new-password"
                />
              </Field>
            )}
          </div>
          <div className={styles.actions}>
            <button type="submit" className={styles.button} disabled={isBusy} data-testid="user-save">
              {w('save', lang)}
            </button>
            <button
              type="button"
              className={`${styles.button} ${styles.ghost}`}
              onClick={() => setEditor(null)}
            >
              {w('cancel', lang)}
            </button>
          </div>
        </form>
      )}

      <div className={`${styles.card} ${styles.tableWrap}`}>
        <table className={styles.table} data-testid="users-table">
          <thead>
            <tr>
              <th>{w('username', lang)}</th>
              <th>{w('displayName', lang)}</th>
              <th>{w('role', lang)}</th>
              <th>{w('region', lang)}</th>
              <th>{w('status', lang)}</th>
              <th>{w('createdAt', lang)}</th>
              <th>{w('actions', lang)}</th>
            </tr>
          </thead>
          <tbody>
            {data?.users.map((u) => {
              const isLocked = u.lockedUntil !== null && u.lockedUntil > now;
              const path = `/api/users/${encodeURIComponent(u.username)}`;
              return (
                <tr key={u.id} data-testid="user-row" data-username={u.username}>
                  <td className={styles.mono}>{u.username}</td>
                  <td>{u.displayName ?? <span className={styles.muted}>—</span>}</td>
                  <td className={styles.nowrap}>{roleLabel(u.role)}</td>
                  <td className={styles.mono}>
                    {u.regionCode ?? <span className={styles.muted}>{w('all', lang)}</span>}
                  </td>
                  <td>
                    {u.disabledAt !== null ? (
                      <span className={`${styles.badge} ${styles.off}`}>{w('disabled', lang)}</span>
                    ) : isLocked ? (
                      <span className={`${styles.badge} ${styles.warn}`}>{w('locked', lang)}</span>
                    ) : (
                      <span className={`${styles.badge} ${styles.ok}`}>{w('enabled', lang)}</span>
                    )}
                  </td>
                  <td className={styles.nowrap}>{formatDateTime(u.createdAt, tz, false)}</td>
                  <td>
                    <div className={styles.rowActions}>
                      <button
                        type="button"
                        className={`${styles.button} ${styles.ghost} ${styles.small}`}
                        onClick={() => open({ mode: 'edit', user: u })}
                      >
                        {w('edit', lang)}
                      </button>
                      <button
                        type="button"
                        className={`${styles.button} ${styles.ghost} ${styles.small}`}
                        onClick={() => open({ mode: 'password', user: u })}
                      >
                        {w('resetPassword', lang)}
                      </button>
                      {isLocked && (
                        <button
                          type="button"
                          className={`${styles.button} ${styles.ghost} ${styles.small}`}
                          onClick={() => void run(`${path}/unlock`)}
                        >
                          {w('unlock', lang)}
                        </button>
                      )}
                      {u.disabledAt === null ? (
                        <button
                          type="button"
                          className={`${styles.button} ${styles.danger} ${styles.small}`}
                          onClick={() => void run(`${path}/disable`, w('confirmDisable', lang))}
                        >
                          {w('disable', lang)}
                        </button>
                      ) : (
                        <button
                          type="button"
                          className={`${styles.button} ${styles.ghost} ${styles.small}`}
                          onClick={() => void run(`${path}/enable`)}
                        >
                          {w('enable', lang)}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {data?.users.length === 0 && <p className={styles.empty}>{w('empty', lang)}</p>}
      </div>
    </>
  );
}
