'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useState, type ReactNode } from 'react';
import { api, type SessionInfo } from '../dispatch/api';
import { useActivityPing } from '../account/use-activity-ping';
import { useLang } from '../i18n/use-lang';
import { colon, w, type AdminWord } from './admin-words';
import styles from './admin.module.css';

const NAV: { href: string; word: AdminWord }[] = [
  { href: '/admin/users', word: 'users' },
  { href: '/admin/tokens', word: 'tokens' },
  { href: '/admin/devices', word: 'devices' },
  { href: '/admin/departments', word: 'departments' },
  { href: '/admin/time-limits', word: 'timeLimits' },
  { href: '/admin/imports', word: 'imports' },
  { href: '/admin/audit', word: 'audit' },
];

/**
 * The admin console's frame: left nav, the signed-in admin, language and sign-out. The pages check
 * nothing themselves: the server refuses every admin route to other roles; this only says so kindly.
 */
export function AdminShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  const [lang, setLang] = useLang();
  const [me, setMe] = useState<SessionInfo | null | 'none'>(null);
  useActivityPing();

  useEffect(() => {
    void api<SessionInfo>('/api/session')
      .then(setMe)
      .catch(() => setMe('none'));
  }, []);

  const isAdmin = me !== null && me !== 'none' && me.role === 'admin';
  return (
    <div className={styles.shell}>
      <nav className={styles.nav} aria-label={w('console', lang)}>
        <div className={styles.brand}>
          {w('product', lang)}
          <small>{w('console', lang)}</small>
        </div>
        {NAV.map((n) => (
          <Link
            key={n.href}
            href={n.href}
            className={`${styles.navLink} ${pathname?.startsWith(n.href) ? styles.navActive : ''}`}
            data-testid={`nav-${n.word}`}
          >
            {w(n.word, lang)}
          </Link>
        ))}
        <div className={styles.navFoot}>
          {me && me !== 'none' && (
            <span>
              {w('signedInAs', lang)}
              {colon(lang)}
              {me.username}
            </span>
          )}
          <a href="/wall" target="_blank" rel="noreferrer">
            {w('wall', lang)}
          </a>
          <a href="/dispatch">{w('dispatch', lang)}</a>
          <a href="/account" data-testid="own-password">
            {w('changeOwnPassword', lang)}
          </a>
          <button
            type="button"
            className={`${styles.button} ${styles.ghost} ${styles.small}`}
            onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
          >
            {w('toggle', lang)}
          </button>
          <button
            type="button"
            className={`${styles.button} ${styles.ghost} ${styles.small}`}
            onClick={() =>
              void api('/api/session', { method: 'DELETE' }).finally(() => window.location.assign('/login'))
            }
          >
            {w('signOut', lang)}
          </button>
        </div>
      </nav>
      <div className={styles.main}>
        {me === null ? (
          <p className={styles.muted}>{w('loading', lang)}</p>
        ) : isAdmin ? (
          children
        ) : (
          <div className={`${styles.banner} ${styles.bannerError}`}>
            {w('needAdmin', lang)}
            {lang === 'zh' ? '。' : '. '}
            <a href="/login?next=/admin/users">{w('toLogin', lang)}</a>
          </div>
        )}
      </div>
    </div>
  );
}
