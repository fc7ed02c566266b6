'use client';

import type { CSSProperties, ReactNode } from 'react';
import styles from './admin.module.css';

/** A labelled form field with its inline error underneath (red border on the control). */
export function Field(props: {
  label: string;
  error?: string;
  hint?: string;
  wide?: boolean;
  children: ReactNode;
}) {
  return (
    <label className={`${styles.field} ${props.wide ? styles.wide : ''}`}>
      <span>{props.label}</span>
      {props.children}
      {props.error ? (
        <span className={styles.fieldError} role="alert">
          {props.error}
        </span>
      ) : (
        props.hint && <span className={styles.hint}>{props.hint}</span>
      )}
    </label>
  );
}

export function inputClass(error?: string): string | undefined {
  return error ? styles.invalid : undefined;
}

export function Banner({ kind, children }: { kind: 'error' | 'ok'; children: ReactNode }) {
  return (
    <div
      className={`${styles.banner} ${kind === 'error' ? styles.bannerError : styles.bannerOk}`}
      role={kind === 'error' ? 'alert' : 'status'}
    >
      {children}
    </div>
  );
}

export function PageHeader({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle: string;
  children?: ReactNode;
}) {
  return (
    <div className={styles.header}>
      <div>
        <h1 className={styles.title}>{title}</h1>
        <p className={styles.subtitle}>{subtitle}</p>
      </div>
      {children}
    </div>
  );
}

/**
 * The admin table: header row, body rows, and the empty line when there are none. Pages pass their rows as
 * <tr> elements so each keeps its own cells and test ids.
 */
export function DataTable({
  headers,
  isEmpty,
  emptyText,
  children,
  testId,
  style,
}: {
  headers: string[];
  isEmpty: boolean;
  emptyText: string;
  children: ReactNode;
  testId?: string;
  style?: CSSProperties;
}) {
  return (
    <>
      <table className={styles.table} data-testid={testId} style={style}>
        <thead>
          <tr>
            {headers.map((h) => (
              <th key={h}>{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
      {isEmpty && <p className={styles.empty}>{emptyText}</p>}
    </>
  );
}
