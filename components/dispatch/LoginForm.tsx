'use client';

import { useState, type FormEvent } from 'react';
import { safeNextPath } from '@/lib/auth/safe-redirect';
import { useLang } from '../i18n/use-lang';
import { ApiError, api } from './api';
import styles from './dispatch.module.css';

const WORDS = {
  title: { zh: '平安大屏 · 登录', en: 'Pingan Wall · Sign in' },
  username: { zh: '用户名', en: 'User name' },
  password: { zh: '密码', en: 'Password' },
  submit: { zh: '登录', en: 'Sign in' },
  busy: { zh: '登录中…', en: 'Signing in…' },
  offline: { zh: '无法连接服务器', en: 'Cannot reach the server' },
  accounts: {
    zh: 'Pingan Wall — 值班、调度、领导与管理账号',
    en: 'Pingan Wall — duty, dispatch, leader and admin accounts',
  },
  toggle: { zh: 'EN', en: '中文' },
} as const;

/** Where each role lands after signing in, unless the login page was given ?next=. */
const HOME_BY_ROLE: Record<string, string> = {
  admin: '/admin',
  leader: '/wall',
  dispatcher: '/dispatch',
  duty: '/wall',
  worker: '/m',
  department: '/dept',
};

export function LoginForm({ next }: { next: string | null }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const [lang, setLang] = useLang();

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setIsBusy(true);
    setError(null);
    try {
      const me = await api<{ role: string }>('/api/session', {
        method: 'POST',
        body: { username, password },
      });
      // Only this origin: an open redirect would let a phishing link borrow our login page.
      const target = safeNextPath(next, window.location.href) ?? HOME_BY_ROLE[me.role] ?? '/wall';
      window.location.assign(target);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : WORDS.offline[lang]);
      setIsBusy(false);
    }
  }

  return (
    <main className={styles.loginWrap}>
      <form className={styles.loginBox} onSubmit={onSubmit} aria-label={WORDS.submit[lang]}>
        <div className={styles.title}>
          {WORDS.title[lang]}
          <button
            type="button"
            className={styles.button}
            style={{ float: 'right', fontSize: 12, padding: '0 8px' }}
            onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}
            data-testid="lang-toggle"
          >
            {WORDS.toggle[lang]}
          </button>
        </div>
        <label>
          {WORDS.username[lang]}
          <input
            className={styles.input}
            style={{ width: '100%' }}
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label>
          {WORDS.password[lang]}
          <input
            className={styles.input}
            style={{ width: '100%' }}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <div className={styles.error} role="alert">
            {error}
          </div>
        )}
        <button className={`${styles.button} ${styles.buttonPrimary}`} type="submit" disabled={isBusy}>
          {isBusy ? WORDS.busy[lang] : WORDS.submit[lang]}
        </button>
        <div className={styles.muted}>{WORDS.accounts[lang]}</div>
      </form>
    </main>
  );
}
