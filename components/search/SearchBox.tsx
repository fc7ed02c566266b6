'use client';

import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  groupByKind,
  SEARCH_KIND_LABELS,
  SEARCH_MAX_QUERY_CHARS,
  type SearchResponse,
  type SearchResult,
} from '@/lib/search/search-result';
import styles from './search-box.module.css';

/** Wait after the last keystroke before asking the server (ms): one request per pause, not per key. */
export const SEARCH_DEBOUNCE_MS = 250;

type Lang = 'zh' | 'en';

const WORDS = {
  placeholder: { zh: '搜索 事件号 / 车牌 / 姓名 / 地址', en: 'Search id / plate / name / address' },
  searching: { zh: '搜索中…', en: 'Searching…' },
  empty: { zh: '无匹配结果', en: 'No match' },
  failed: { zh: '搜索失败', en: 'Search failed' },
  label: { zh: '搜索', en: 'Search' },
} as const;

export interface SearchBoxProps {
  /** Called with the chosen result (click or Enter); the box then closes its list. */
  onPick: (result: SearchResult) => void;
  lang?: Lang;
  /** Extra class for the outer element (width, placement). */
  className?: string;
  /** Display-token screens pass their token (sent as X-Display-Token); signed-in pages use the cookie. */
  displayToken?: string | null;
}

type Status = 'idle' | 'loading' | 'done' | 'error';

/**
 * One search field for the console and the wall: debounced, arrow keys move through the results (grouped by
 * kind, Chinese labels), Enter picks, Escape closes. Only the newest request's answer is shown.
 */
export function SearchBox({ onPick, lang = 'zh', className, displayToken }: SearchBoxProps) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<SearchResult[]>([]);
  const [status, setStatus] = useState<Status>('idle');
  const [isOpen, setIsOpen] = useState(false);
  const [active, setActive] = useState(0);
  const listId = useId();
  const rootRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setResults([]);
      setStatus('idle');
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setStatus('loading');
      fetch(`/api/search?q=${encodeURIComponent(q)}`, {
        credentials: 'same-origin',
        headers: displayToken ? { 'x-display-token': displayToken } : undefined,
        signal: controller.signal,
      })
        .then(async (res) => {
          if (!res.ok) throw new Error(String(res.status));
          const body = (await res.json()) as SearchResponse;
          setResults(body.results);
          setActive(0);
          setStatus('done');
        })
        .catch((e: unknown) => {
          if ((e as { name?: string }).name === 'AbortError') return;
          setResults([]);
          setStatus('error');
        });
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query, displayToken]);

  // Close when focus or a click goes elsewhere.
  useEffect(() => {
    const onDown = (e: PointerEvent) => {
      if (rootRef.current && !rootRef.current.contains(e.target as Node)) setIsOpen(false);
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, []);

  const groups = useMemo(() => groupByKind(results), [results]);
  // Keyboard order follows the grouped order shown, not the server's order.
  const flat = useMemo(() => groups.flatMap((g) => g.items), [groups]);

  const pick = (r: SearchResult) => {
    setIsOpen(false);
    onPick(r);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setIsOpen(true);
      setActive((a) => (flat.length ? (a + 1) % flat.length : 0));
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (flat.length ? (a - 1 + flat.length) % flat.length : 0));
    } else if (e.key === 'Enter') {
      const r = flat[active];
      if (r && isOpen) {
        e.preventDefault();
        pick(r);
      }
    } else if (e.key === 'Escape') {
      setIsOpen(false);
    }
  };

  const showList = isOpen && query.trim().length > 0;
  const activeId = flat[active] ? `${listId}-${active}` : undefined;
  let n = 0;

  return (
    <div ref={rootRef} className={`${styles.root} ${className ?? ''}`} data-testid="search-box">
      <input
        className={styles.input}
        type="search"
        value={query}
        maxLength={SEARCH_MAX_QUERY_CHARS}
        placeholder={WORDS.placeholder[lang]}
        aria-label={WORDS.label[lang]}
        role="combobox"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={showList ? activeId : undefined}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => {
          setQuery(e.target.value);
          setIsOpen(true);
        }}
        onFocus={() => setIsOpen(true)}
        onKeyDown={onKeyDown}
      />
      {showList && (
        <div className={styles.list} id={listId} role="listbox" data-testid="search-results">
          {status === 'loading' && flat.length === 0 && (
            <div className={styles.note}>{WORDS.searching[lang]}</div>
          )}
          {status === 'error' && <div className={styles.note}>{WORDS.failed[lang]}</div>}
          {status === 'done' && flat.length === 0 && <div className={styles.note}>{WORDS.empty[lang]}</div>}
          {groups.map((g) => (
            <div key={g.kind} role="group" aria-label={SEARCH_KIND_LABELS[g.kind][lang]}>
              <div className={styles.group}>
                {SEARCH_KIND_LABELS[g.kind][lang]}
                <span className={styles.count}>{g.items.length}</span>
              </div>
              {g.items.map((r) => {
                const k = n++;
                return (
                  <div
                    key={`${r.kind}:${r.id}`}
                    id={`${listId}-${k}`}
                    role="option"
                    aria-selected={k === active}
                    data-kind={r.kind}
                    data-id={r.id}
                    className={`${styles.item} ${k === active ? styles.active : ''}`}
                    onMouseEnter={() => setActive(k)}
                    onMouseDown={(e) => e.preventDefault() /* keep focus in the input */}
                    onClick={() => pick(r)}
                  >
                    <span className={styles.name}>{r.name}</span>
                    {r.detail && <span className={styles.detail}>{r.detail}</span>}
                  </div>
                );
              })}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
