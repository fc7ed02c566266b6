import type { ReactNode } from 'react';
import styles from './wall.module.css';

/** A glowing panel frame with a title bar; `extra` sits at the right of the title (tabs, counts). */
export function Panel({
  title,
  extra,
  children,
  className,
  testId,
}: {
  title: string;
  extra?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <section className={`${styles.panel} ${className ?? ''}`} data-testid={testId}>
      <header className={styles.panelTitle}>
        <span>{title}</span>
        {extra ? <span className={styles.panelExtra}>{extra}</span> : null}
      </header>
      <div className={styles.panelBody}>{children}</div>
    </section>
  );
}
