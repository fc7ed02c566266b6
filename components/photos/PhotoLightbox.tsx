'use client';

import { useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';
import type { Lang } from '@/lib/wall/i18n';
import type { Photo } from './photo';
import styles from './photos.module.css';

const WORDS = {
  close: { zh: '关闭（Esc）', en: 'Close (Esc)' },
  prev: { zh: '上一张', en: 'Previous' },
  next: { zh: '下一张', en: 'Next' },
} as const;

/**
 * One photo at full size over the page. Drawn into <body>, not where it was opened: the wall's stage is a
 * scaled box, and a fixed element inside a transformed one would be fixed to the stage, not the screen.
 * Esc or a click beside the picture closes it; ← → step through the others; focus returns to the thumbnail.
 */
export function PhotoLightbox(props: {
  photos: readonly Photo[];
  index: number;
  lang: Lang;
  onIndex: (i: number) => void;
  onClose: () => void;
}) {
  const { photos, index, lang, onIndex, onClose } = props;
  const closeButton = useRef<HTMLButtonElement>(null);
  const photo = photos[index];
  const count = photos.length;

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    closeButton.current?.focus();
    return () => opener?.focus?.();
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        onClose();
      } else if (e.key === 'ArrowLeft' && count > 1) onIndex((index - 1 + count) % count);
      else if (e.key === 'ArrowRight' && count > 1) onIndex((index + 1) % count);
    };
    // Capture: the page's own Esc (closing the wall's drawer) must not also fire under the picture.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [index, count, onIndex, onClose]);

  if (!photo || typeof document === 'undefined') return null;
  return createPortal(
    <div
      className={styles.lightbox}
      role="dialog"
      aria-modal="true"
      aria-label={photo.label}
      data-testid="photo-lightbox"
      onClick={(e) => e.target === e.currentTarget && onClose()}
    >
      <button
        ref={closeButton}
        type="button"
        className={styles.lightboxClose}
        onClick={onClose}
        aria-label={WORDS.close[lang]}
        title={WORDS.close[lang]}
      >
        ×
      </button>
      {count > 1 && (
        <button
          type="button"
          className={`${styles.lightboxStep} ${styles.lightboxPrev}`}
          onClick={() => onIndex((index - 1 + count) % count)}
          aria-label={WORDS.prev[lang]}
        >
          ‹
        </button>
      )}
      <figure className={styles.lightboxFigure}>
        <img className={styles.lightboxImage} src={photo.src} alt={photo.label} data-testid="photo-full" />
        <figcaption className={styles.lightboxCaption}>
          <b>{photo.label}</b>
          {photo.caption ? ` · ${photo.caption}` : ''}
          {count > 1 ? ` · ${index + 1} / ${count}` : ''}
        </figcaption>
      </figure>
      {count > 1 && (
        <button
          type="button"
          className={`${styles.lightboxStep} ${styles.lightboxNext}`}
          onClick={() => onIndex((index + 1) % count)}
          aria-label={WORDS.next[lang]}
        >
          ›
        </button>
      )}
    </div>,
    document.body,
  );
}
