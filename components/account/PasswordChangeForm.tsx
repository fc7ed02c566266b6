'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { passwordProblem } from '@/lib/auth/password-policy';
import { useLang } from '../i18n/use-lang';
import { ApiError, api, type SessionInfo } from '../dispatch/api';
import styles from '../dispatch/dispatch.module.css';
import { useActivityPing } from './use-activity-ping';

const WORDS = {
  title: { zh: '修改密码', en: 'Change password' },
  current: { zh: '当前密码', en: 'Current password' },
  next: { zh: '新密码', en: 'New password' },
  again: { zh: '再次输入新密码', en: 'New password again' },
  rule: {
    zh: '至少 10 位；不能与用户名相同，不能使用演示密码或常见密码。',
    en: 'At least 10 characters; not the user name, the demo password or a common password.',
  },
  differ: { zh: '两次输入的新密码不一致', en: 'The new passwords differ' },
  submit: { zh: '修改密码', en: 'Change password' },
  busy: { zh: '提交中…', en: 'Saving…' },
  done: {
    zh: '密码已修改，其他设备上的登录已退出。',
    en: 'Password changed; sessions on other devices were signed out.',
  },
  back: { zh: '返回', en: 'Back' },
  signedInAs: { zh: '当前用户：', en: 'Signed in as ' },
  offline: { zh: '无法连接服务器', en: 'Cannot reach the server' },
} as const;

const HOME_BY_ROLE: Record<string, string> = {
  admin: '/admin',
  leader: '/wall',
  dispatcher: '/dispatch',
  duty: '/wall',
};

/** /account: a signed-in user changes their own password (POST /api/session/password). */
export function PasswordChangeForm() {
  const [lang] = useLang();
  const [me, setMe] = useState<SessionInfo | null>(null);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [isDone, setIsDone] = useState(false);
  const [isBusy, setIsBusy] = useState(false);
  useActivityPing();

  useEffect(() => {
    api<SessionInfo>('/api/session')
      .then(setMe)
      .catch(() => window.location.assign('/login?next=/account'));
  }, []);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setIsDone(false);
    // The demo rule is the server's to apply (it knows the mode); the rest is checked here first.
    const problem = passwordProblem(next, { username: me?.username ?? '', isDemo: true });
    if (problem) return setError(problem);
    if (next !== again) return setError(WORDS.differ[lang]);
    setIsBusy(true);
    try {
      await api('/api/session/password', { method: 'POST', body: { current, next } });
      setIsDone(true);
      setCurrent('');
      setNext('');
      setAgain('');
    } catch (err) {
      setError(err instanceof ApiError ? err.message : WORDS.offline[lang]);
    } finally {
      setIsBusy(false);
    }
  }

  const field = (name: string, label: string, value: string, set: (v: string) => void, auto: string) => (
    <label>
      {label}
      <input
        className={styles.input}
        style={{ width: '100%' }}
        name={name}
        type="password"
        autoComplete={auto}
        value={value}
        onChange={(e) => set(e.target.value)}
        required
      />
    </label>
  );

  return (
    <main className={styles.loginWrap}>
      <form
        className={styles.loginBox}
        onSubmit={onSubmit}
        aria-label={WORDS.title[lang]}
        data-testid="password-form"
      >
        <div className={styles.title}>{WORDS.title[lang]}</div>
        {me && (
          <div className={styles.muted}>
            {WORDS.signedInAs[lang]}
            {me.username}
          </div>
        )}
        {field('current', WORDS.current[lang], current, setCurrent, 'current-password')}
        {field('next', WORDS.next[lang], next, setNext, 'new-password')}
        {field('again', WORDS.again[lang], again, setAgain, 'new-password')}
        <div className={styles.muted}>{WORDS.rule[lang]}</div>
        {error && (
          <div className={styles.error} role="alert">
            {error}
          </div>
        )}
        {isDone && (
          <div role="status" data-testid="password-done">
            {WORDS.done[lang]}
          </div>
        )}
        <button className={`${styles.button} ${styles.buttonPrimary}`} type="submit" disabled={isBusy || !me}>
          {isBusy ? WORDS.busy[lang] : WORDS.submit[lang]}
        </button>
        <a className={styles.muted} href={(me && HOME_BY_ROLE[me.role]) ?? '/wall'}>
          {WORDS.back[lang]}
        </a>
      </form>
    </main>
  );
}
