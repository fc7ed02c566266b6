'use client';

import { useState, type FormEvent } from 'react';
import { ApiError, api } from './api';
import styles from './dispatch.module.css';

/** Where each role lands after signing in, unless the login page was given ?next=. */
const HOME_BY_ROLE: Record<string, string> = {
  admin: '/admin/audit',
  leader: '/wall',
  dispatcher: '/dispatch',
  duty: '/wall',
};

export function LoginForm({ next }: { next: string | null }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setIsBusy(true);
    setError(null);
    try {
      const me = await api<{ role: string }>('/api/session', {
        method: 'POST',
        body: { username, password },
      });
      // Only same-site paths: an open redirect would let a phishing link borrow our login page.
      const target =
        next && next.startsWith('/') && !next.startsWith('//') ? next : (HOME_BY_ROLE[me.role] ?? '/wall');
      window.location.assign(target);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : '无法连接服务器');
      setIsBusy(false);
    }
  }

  return (
    <main className={styles.loginWrap}>
      <form className={styles.loginBox} onSubmit={onSubmit} aria-label="登录">
        <div className={styles.title}>平安大屏 · 登录</div>
        <label>
          用户名
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
          密码
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
          {isBusy ? '登录中…' : '登录'}
        </button>
        <div className={styles.muted}>Pingan Wall — 值班、调度、领导与管理账号</div>
      </form>
    </main>
  );
}
