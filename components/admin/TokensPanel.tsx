'use client';

import { useState, type FormEvent } from 'react';
import { NewTokenSchema, fieldErrors, type TokenRow } from '@/lib/admin/schemas';
import { formatDateTime } from '@/lib/time/display-time';
import { api } from '../dispatch/api';
import { useLang } from '../i18n/use-lang';
import { useDisplayTz } from '../time/use-display-tz';
import { w } from './admin-words';
import { Banner, Field, PageHeader, inputClass } from './form-parts';
import { act, useAdminData } from './use-admin-data';
import styles from './admin.module.css';

/** 大屏令牌: create one for a screen (its link shown once, ready to copy), see last use, revoke. */
export function TokensPanel() {
  const [lang] = useLang();
  const tz = useDisplayTz();
  const { data, error, reload } = useAdminData<{ tokens: TokenRow[] }>('/api/display-tokens');
  const [isOpen, setIsOpen] = useState(false);
  const [draft, setDraft] = useState({ name: '', regionCode: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<{ name: string; link: string } | null>(null);
  const [isCopied, setIsCopied] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  async function onSubmit(ev: FormEvent) {
    ev.preventDefault();
    const parsed = NewTokenSchema.safeParse(draft);
    if (!parsed.success) return setErrors(fieldErrors(parsed.error));
    try {
      const r = await api<TokenRow & { url: string }>('/api/display-tokens', {
        method: 'POST',
        body: parsed.data,
      });
      setCreated({ name: r.name, link: `${window.location.origin}${r.url}` });
      setIsCopied(false);
      setIsOpen(false);
      setDraft({ name: '', regionCode: '' });
      setErrors({});
      reload();
    } catch (e) {
      setErrors({ _: (e as Error).message });
    }
  }

  async function revoke(t: TokenRow) {
    if (!window.confirm(`${w('confirmRevoke', lang)}\n${t.name}`)) return;
    setNotice(await act(`/api/display-tokens/${t.id}`, 'DELETE'));
    reload();
  }

  async function copy(link: string) {
    try {
      await navigator.clipboard.writeText(link);
      setIsCopied(true);
    } catch {
      // No clipboard (plain http on a LAN address): the link is selectable in the box.
      window.prompt(w('copy', lang), link);
    }
  }

  return (
    <>
      <PageHeader title={w('tokens', lang)} subtitle={w('tokensSub', lang)}>
        <button
          type="button"
          className={styles.button}
          onClick={() => setIsOpen(true)}
          data-testid="new-token"
        >
          {w('newToken', lang)}
        </button>
      </PageHeader>
      {error && <Banner kind="error">{error}</Banner>}
      {notice && <Banner kind="error">{notice}</Banner>}

      {created && (
        <div className={styles.secret} data-testid="token-created">
          <strong>{created.name}</strong> — {w('tokenOnce', lang)}
          <code data-testid="token-link">{created.link}</code>
          <div className={styles.actions}>
            <button type="button" className={styles.button} onClick={() => void copy(created.link)}>
              {isCopied ? w('copied', lang) : w('copy', lang)}
            </button>
            <a
              className={`${styles.button} ${styles.ghost}`}
              href={created.link}
              target="_blank"
              rel="noreferrer"
            >
              {w('openLink', lang)}
            </a>
            <button
              type="button"
              className={`${styles.button} ${styles.ghost}`}
              onClick={() => setCreated(null)}
            >
              {w('dismiss', lang)}
            </button>
          </div>
        </div>
      )}

      {isOpen && (
        <form className={styles.card} onSubmit={(e) => void onSubmit(e)} noValidate data-testid="token-form">
          <h2 className={styles.cardTitle}>{w('newToken', lang)}</h2>
          {errors._ && <Banner kind="error">{errors._}</Banner>}
          <div className={styles.form}>
            <Field label={w('tokenName', lang)} error={errors.name}>
              <input
                name="name"
                value={draft.name}
                onChange={(e) => setDraft({ ...draft, name: e.target.value })}
                className={inputClass(errors.name)}
                placeholder="指挥大厅主屏"
              />
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
          </div>
          <div className={styles.actions}>
            <button type="submit" className={styles.button} data-testid="token-save">
              {w('create', lang)}
            </button>
            <button
              type="button"
              className={`${styles.button} ${styles.ghost}`}
              onClick={() => setIsOpen(false)}
            >
              {w('cancel', lang)}
            </button>
          </div>
        </form>
      )}

      <div className={`${styles.card} ${styles.tableWrap}`}>
        <table className={styles.table} data-testid="tokens-table">
          <thead>
            <tr>
              <th>{w('deptName', lang)}</th>
              <th>{w('region', lang)}</th>
              <th>{w('createdBy', lang)}</th>
              <th>{w('createdAt', lang)}</th>
              <th>{w('lastUsed', lang)}</th>
              <th>{w('status', lang)}</th>
              <th>{w('actions', lang)}</th>
            </tr>
          </thead>
          <tbody>
            {data?.tokens.map((t) => (
              <tr key={t.id} data-testid="token-row" data-name={t.name}>
                <td>{t.name}</td>
                <td className={styles.mono}>
                  {t.regionCode ?? <span className={styles.muted}>{w('all', lang)}</span>}
                </td>
                <td className={styles.mono}>{t.createdBy}</td>
                <td className={styles.nowrap}>{formatDateTime(t.createdAt, tz, false)}</td>
                <td className={styles.nowrap} data-testid="token-last-used">
                  {t.lastUsedAt === null ? (
                    <span className={styles.muted}>{w('never', lang)}</span>
                  ) : (
                    formatDateTime(t.lastUsedAt, tz, false)
                  )}
                </td>
                <td>
                  {t.revokedAt === null ? (
                    <span className={`${styles.badge} ${styles.ok}`}>{w('enabled', lang)}</span>
                  ) : (
                    <span className={`${styles.badge} ${styles.off}`}>{w('revoked', lang)}</span>
                  )}
                </td>
                <td>
                  {t.revokedAt === null && (
                    <button
                      type="button"
                      className={`${styles.button} ${styles.danger} ${styles.small}`}
                      onClick={() => void revoke(t)}
                    >
                      {w('revoke', lang)}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {data?.tokens.length === 0 && <p className={styles.empty}>{w('empty', lang)}</p>}
      </div>
    </>
  );
}
