'use client';

import { useMemo, useState, type FormEvent } from 'react';
import { formatDateTime } from '@/lib/time/display-time';
import { api } from '../dispatch/api';
import { useLang } from '../i18n/use-lang';
import { useDisplayTz } from '../time/use-display-tz';
import { colon, w } from './admin-words';
import { Banner, DataTable, Field, PageHeader, inputClass } from './form-parts';
import { UnitsSection } from './UnitsSection';
import { act, useAdminData } from './use-admin-data';
import styles from './admin.module.css';

interface Terminal {
  vehicleId: string;
  name: string | null;
  plate: string | null;
  phone: string | null;
  isProvisioned: boolean;
  disabledAt: number | null;
  lastSeenAt: number | null;
}
interface GbDevice {
  id: string;
  name: string | null;
  hasOwnPassword: boolean;
  disabledAt: number | null;
  lastSeenAt: number | null;
  lastAddress: string | null;
}
interface Devices {
  terminals: Terminal[];
  gb28181: GbDevice[];
  autoRegister: boolean;
}

/** Terminals listed at once; the filter finds the rest (a city has thousands of vehicles). */
const TERMINALS_SHOWN = 200;

/** 终端设备: JT/T 808 terminals per vehicle (auth code shown once) and GB/T 28181 devices. */
export function DevicesPanel() {
  const [lang] = useLang();
  const tz = useDisplayTz();
  const { data, error, status, reload } = useAdminData<Devices>('/api/admin/devices');
  const [filter, setFilter] = useState('');
  const [provisioning, setProvisioning] = useState<{
    vehicleId: string;
    phone: string;
    error?: string;
  } | null>(null);
  const [authCode, setAuthCode] = useState<{ vehicle: string; code: string } | null>(null);
  const [gb, setGb] = useState({ id: '', name: '', password: '' });
  const [gbError, setGbError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const all = data?.terminals ?? [];
    const hits = q
      ? all.filter((t) => [t.vehicleId, t.name, t.plate, t.phone].some((v) => v?.toLowerCase().includes(q)))
      : all;
    return { rows: hits.slice(0, TERMINALS_SHOWN), total: hits.length };
  }, [data, filter]);

  async function provision(ev: FormEvent) {
    ev.preventDefault();
    if (!provisioning) return;
    try {
      const r = await api<{ authCode: string }>('/api/admin/devices/terminals', {
        method: 'POST',
        body: { vehicleId: provisioning.vehicleId, phone: provisioning.phone },
      });
      setAuthCode({ vehicle: provisioning.vehicleId, code: r.authCode });
      setProvisioning(null);
      reload();
    } catch (e) {
      setProvisioning({ ...provisioning, error: (e as Error).message });
    }
  }

  async function saveGb(ev: FormEvent) {
    ev.preventDefault();
    const problem = await act('/api/admin/devices/gb28181', 'POST', {
      id: gb.id.trim(),
      name: gb.name.trim() || undefined,
      password: gb.password === '' ? undefined : gb.password,
    });
    setGbError(problem);
    if (!problem) {
      setGb({ id: '', name: '', password: '' });
      reload();
    }
  }

  async function toggle(path: string) {
    setNotice(await act(path, 'POST', {}));
    reload();
  }

  const seen = (at: number | null) =>
    at === null ? <span className={styles.muted}>{w('never', lang)}</span> : formatDateTime(at, tz, false);
  const state = (disabledAt: number | null) =>
    disabledAt === null ? (
      <span className={`${styles.badge} ${styles.ok}`}>{w('enabled', lang)}</span>
    ) : (
      <span className={`${styles.badge} ${styles.off}`}>{w('disabled', lang)}</span>
    );

  return (
    <>
      <PageHeader title={w('devices', lang)} subtitle={w('devicesSub', lang)}>
        {data && (
          <span className={`${styles.badge} ${data.autoRegister ? styles.warn : styles.ok}`}>
            {w('autoRegister', lang)}
            {colon(lang)}
            {data.autoRegister ? w('on', lang) : w('off', lang)}
          </span>
        )}
      </PageHeader>
      {status === 404 ? (
        <Banner kind="error">{w('devicesMissing', lang)}</Banner>
      ) : (
        error && <Banner kind="error">{error}</Banner>
      )}
      {notice && <Banner kind="error">{notice}</Banner>}
      {authCode && (
        <div className={styles.secret} data-testid="auth-code">
          <strong>{authCode.vehicle}</strong> — {w('authCodeOnce', lang)}
          <code>{authCode.code}</code>
          <button
            type="button"
            className={`${styles.button} ${styles.ghost}`}
            onClick={() => setAuthCode(null)}
          >
            {w('dismiss', lang)}
          </button>
        </div>
      )}

      <UnitsSection />

      {data && (
        <>
          <div className={`${styles.card} ${styles.tableWrap}`}>
            <h2 className={styles.cardTitle}>{w('terminals', lang)}</h2>
            <div className={styles.actions} style={{ marginTop: 0, marginBottom: 10 }}>
              <input
                className={styles.input}
                placeholder={w('filter', lang)}
                value={filter}
                onChange={(e) => setFilter(e.target.value)}
                style={{ minWidth: 280 }}
              />
              <span className={styles.muted}>
                {w('shown', lang)} {shown.rows.length} / {shown.total}
              </span>
            </div>
            {provisioning && (
              <form className={styles.card} onSubmit={(e) => void provision(e)} noValidate>
                <div className={styles.form}>
                  <Field label={w('vehicle', lang)}>
                    <input value={provisioning.vehicleId} disabled />
                  </Field>
                  <Field label={w('phone', lang)} error={provisioning.error}>
                    <input
                      value={provisioning.phone}
                      inputMode="numeric"
                      className={inputClass(provisioning.error)}
                      onChange={(e) =>
                        setProvisioning({ ...provisioning, phone: e.target.value, error: undefined })
                      }
                    />
                  </Field>
                </div>
                <div className={styles.actions}>
                  <button type="submit" className={styles.button}>
                    {w('save', lang)}
                  </button>
                  <button
                    type="button"
                    className={`${styles.button} ${styles.ghost}`}
                    onClick={() => setProvisioning(null)}
                  >
                    {w('cancel', lang)}
                  </button>
                </div>
              </form>
            )}
            <DataTable
              headers={[
                w('vehicle', lang),
                w('plate', lang),
                w('phone', lang),
                w('provisioned', lang),
                w('status', lang),
                w('lastSeen', lang),
                w('actions', lang),
              ]}
              isEmpty={shown.total === 0}
              emptyText={w('empty', lang)}
            >
              {shown.rows.map((t) => (
                <tr key={t.vehicleId}>
                  <td>
                    {t.name ?? t.vehicleId}
                    <div className={`${styles.mono} ${styles.muted}`}>{t.vehicleId}</div>
                  </td>
                  <td className={styles.nowrap}>{t.plate ?? '—'}</td>
                  <td className={styles.mono}>{t.phone ?? '—'}</td>
                  <td>
                    {t.isProvisioned ? (
                      <span className={`${styles.badge} ${styles.ok}`}>{w('provisioned', lang)}</span>
                    ) : (
                      <span className={styles.muted}>{w('notProvisioned', lang)}</span>
                    )}
                  </td>
                  <td>{state(t.disabledAt)}</td>
                  <td className={styles.nowrap}>{seen(t.lastSeenAt)}</td>
                  <td>
                    <div className={styles.rowActions}>
                      <button
                        type="button"
                        className={`${styles.button} ${styles.ghost} ${styles.small}`}
                        onClick={() => setProvisioning({ vehicleId: t.vehicleId, phone: t.phone ?? '' })}
                      >
                        {t.isProvisioned ? w('rotate', lang) : w('provision', lang)}
                      </button>
                      <button
                        type="button"
                        className={`${styles.button} ${t.disabledAt === null ? styles.danger : styles.ghost} ${styles.small}`}
                        onClick={() =>
                          void toggle(
                            `/api/admin/devices/terminals/${encodeURIComponent(t.vehicleId)}/${t.disabledAt === null ? 'disable' : 'enable'}`,
                          )
                        }
                      >
                        {t.disabledAt === null ? w('disable', lang) : w('enable', lang)}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </DataTable>
          </div>

          <div className={`${styles.card} ${styles.tableWrap}`}>
            <h2 className={styles.cardTitle}>{w('gbDevices', lang)}</h2>
            <form onSubmit={(e) => void saveGb(e)} noValidate>
              {gbError && <Banner kind="error">{gbError}</Banner>}
              <div className={styles.form}>
                <Field label={w('gbId', lang)}>
                  <input
                    value={gb.id}
                    inputMode="numeric"
                    onChange={(e) => setGb({ ...gb, id: e.target.value })}
                  />
                </Field>
                <Field label={w('gbName', lang)}>
                  <input value={gb.name} onChange={(e) => setGb({ ...gb, name: e.target.value })} />
                </Field>
                <Field label={w('ownPassword', lang)} hint={w('ownPasswordHint', lang)}>
                  <input
                    type="password"
                    autoComplete="new-password"
                    value={gb.password}
                    onChange={(e) => setGb({ ...gb, password: e.target.value })}
                  />
                </Field>
              </div>
              <div className={styles.actions}>
                <button type="submit" className={styles.button}>
                  {w('addGb', lang)}
                </button>
              </div>
            </form>
            <DataTable
              style={{ marginTop: 14 }}
              headers={[
                w('gbId', lang),
                w('gbName', lang),
                w('ownPassword', lang),
                w('status', lang),
                w('lastSeen', lang),
                w('lastAddress', lang),
                w('actions', lang),
              ]}
              isEmpty={data.gb28181.length === 0}
              emptyText={w('empty', lang)}
            >
              {data.gb28181.map((d) => (
                <tr key={d.id}>
                  <td className={styles.mono}>{d.id}</td>
                  <td>{d.name ?? '—'}</td>
                  <td>{d.hasOwnPassword ? '✓' : <span className={styles.muted}>—</span>}</td>
                  <td>{state(d.disabledAt)}</td>
                  <td className={styles.nowrap}>{seen(d.lastSeenAt)}</td>
                  <td className={styles.mono}>{d.lastAddress ?? '—'}</td>
                  <td>
                    <button
                      type="button"
                      className={`${styles.button} ${d.disabledAt === null ? styles.danger : styles.ghost} ${styles.small}`}
                      onClick={() =>
                        void toggle(
                          `/api/admin/devices/gb28181/${encodeURIComponent(d.id)}/${d.disabledAt === null ? 'disable' : 'enable'}`,
                        )
                      }
                    >
                      {d.disabledAt === null ? w('disable', lang) : w('enable', lang)}
                    </button>
                  </td>
                </tr>
              ))}
            </DataTable>
          </div>
        </>
      )}
    </>
  );
}
