'use client';

import { useState } from 'react';
import type { Lang } from '@/lib/wall/i18n';
import type { Photo } from './photo';
import { PhotoLightbox } from './PhotoLightbox';
import styles from './photos.module.css';

/** Where the strip sits: the dark console, the wall's drawer (wall-size text), a department's light desk. */
export type PhotoStripSize = 'console' | 'wall' | 'desk';

const WORDS = {
  open: { zh: '查看大图', en: 'Open full size' },
  more: { zh: '张', en: 'more' },
} as const;

/**
 * Thumbnails that open full size. A picture that fails to load (gone, or no longer this viewer's to see)
 * drops out instead of leaving a broken icon; when none is left the strip draws nothing. `max` bounds what
 * a space that does not scroll (the wall's drawer) shows: the last tile then says how many more there are,
 * and the full-size view steps through all of them.
 */
export function PhotoStrip(props: {
  photos: readonly Photo[];
  lang: Lang;
  size: PhotoStripSize;
  title?: string;
  max?: number;
  testId?: string;
}) {
  const { lang, size, title, max } = props;
  const [failed, setFailed] = useState<ReadonlySet<string>>(() => new Set());
  const [open, setOpen] = useState<number | null>(null);
  const photos = props.photos.filter((p) => !failed.has(p.key));
  if (photos.length === 0) return null;
  const shown = max !== undefined && photos.length > max ? photos.slice(0, max) : photos;
  const hidden = photos.length - shown.length;
  return (
    <section className={`${styles.strip} ${styles[`strip_${size}`]}`} data-testid={props.testId ?? 'photos'}>
      {title && <h4 className={styles.stripTitle}>{title}</h4>}
      <div className={styles.tiles} data-count={shown.length}>
        {shown.map((p, i) => (
          <button
            key={p.key}
            type="button"
            className={styles.tile}
            onClick={() => setOpen(i)}
            title={`${p.label} · ${WORDS.open[lang]}`}
            data-testid={p.testId ?? 'photo-thumb'}
            data-photo={p.key}
          >
            <img
              src={p.thumbSrc}
              alt={p.label}
              loading="lazy"
              onError={() => setFailed((s) => new Set(s).add(p.key))}
            />
            {p.badge && <span className={styles.badge}>{p.badge}</span>}
            {hidden > 0 && i === shown.length - 1 && (
              <span className={styles.more}>
                +{hidden} {WORDS.more[lang]}
              </span>
            )}
          </button>
        ))}
      </div>
      {open !== null && (
        <PhotoLightbox
          photos={photos}
          index={Math.min(open, photos.length - 1)}
          lang={lang}
          onIndex={setOpen}
          onClose={() => setOpen(null)}
        />
      )}
    </section>
  );
}
