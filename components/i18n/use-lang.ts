'use client';

import { useCallback, useSyncExternalStore } from 'react';
import { isLang, LANG_STORAGE_KEY, type Lang } from '@/lib/wall/i18n';

/**
 * The page language, shared by every page (wall, console, login, admin) and remembered in localStorage.
 * The server render and the hydrating render both use Chinese (the server cannot see localStorage), and
 * React switches to the remembered language right after hydration, so there is never a hydration mismatch.
 * Every component that calls useLang() sees the same value: a toggle anywhere re-renders all of them, and
 * another tab's toggle follows through the storage event.
 */
const listeners = new Set<() => void>();
let current: Lang | null = null;

function read(): Lang {
  if (current) return current;
  try {
    const v = window.localStorage.getItem(LANG_STORAGE_KEY);
    current = isLang(v) ? v : 'zh';
  } catch {
    current = 'zh'; // storage blocked (privacy mode): Chinese, not remembered
  }
  return current;
}

function apply(lang: Lang): void {
  current = lang;
  // Screen readers and the browser's own hyphenation follow the page language.
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const l of listeners) l();
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  const onStorage = (e: StorageEvent) => {
    if (e.key === LANG_STORAGE_KEY && isLang(e.newValue) && e.newValue !== current) apply(e.newValue);
  };
  window.addEventListener('storage', onStorage);
  if (listeners.size === 1 && read() !== 'zh') document.documentElement.lang = 'en';
  return () => {
    listeners.delete(onChange);
    window.removeEventListener('storage', onStorage);
  };
}

const serverLang = (): Lang => 'zh';

/** `const [lang, setLang] = useLang()`: the page language and a setter that remembers the choice. */
export function useLang(): [Lang, (lang: Lang) => void] {
  const lang = useSyncExternalStore(subscribe, read, serverLang);
  const setLang = useCallback((next: Lang) => {
    try {
      window.localStorage.setItem(LANG_STORAGE_KEY, next);
    } catch {
      // not remembered, still switched
    }
    apply(next);
  }, []);
  return [lang, setLang];
}
