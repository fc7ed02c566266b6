'use client';

import dynamic from 'next/dynamic';
import { useEffect, useRef, useState } from 'react';
import { CATEGORY_LABELS, INCIDENT_CATEGORIES, type IncidentCategory } from '@/lib/domain/enums';
import { MAX_PHOTOS_PER_REPORT } from '@/lib/mobile/contract';
import type { Lang } from '@/lib/wall/i18n';
import { mw } from './mobile-words';
import { enqueue, newKey, nextAt } from './outbox';
import { prepareAll } from './photo-prep';
import styles from './mobile.module.css';

const PinMap = dynamic(() => import('./PinMap').then((m) => m.PinMap), { ssr: false });

/** The order a worker meets problems in the street: the common ones first, in the first rows of buttons. */
const CATEGORY_ORDER: IncidentCategory[] = [
  'city_management',
  'environment',
  'public_security',
  'fire_safety',
  'dispute',
  'traffic',
  'work_safety',
  'special_population',
  'citizen_request',
  'emergency',
  'petition',
  'other',
];

/**
 * 上报 in two taps: a category button opens the form with the phone's position already asked for; 上报 saves
 * it on the phone and sends it (description, photos, address and a moved pin are optional extras).
 */
export function ReportForm({
  lang,
  fallbackCenter,
  onQueued,
}: {
  lang: Lang;
  fallbackCenter: [number, number] | null;
  onQueued: () => void;
}) {
  const [category, setCategory] = useState<IncidentCategory | null>(null);
  const [detail, setDetail] = useState('');
  const [address, setAddress] = useState('');
  const [photos, setPhotos] = useState<{ blob: Blob; url: string }[]>([]);
  const [place, setPlace] = useState<[number, number] | null>(null);
  const [fix, setFix] = useState<'idle' | 'locating' | 'ok' | 'failed'>('idle');
  const [error, setError] = useState<string | null>(null);
  const [photoError, setPhotoError] = useState<string | null>(null);
  const [isSaving, setIsSaving] = useState(false);
  const fileRef = useRef<HTMLInputElement | null>(null);

  function locate() {
    if (!('geolocation' in navigator)) {
      setFix('failed');
      return;
    }
    setFix('locating');
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setPlace([Number(pos.coords.longitude.toFixed(6)), Number(pos.coords.latitude.toFixed(6))]);
        setFix('ok');
      },
      () => setFix('failed'),
      { enableHighAccuracy: true, timeout: 10_000, maximumAge: 30_000 },
    );
  }

  useEffect(
    () => () => {
      for (const p of photos) URL.revokeObjectURL(p.url);
    },
    [photos],
  );

  /** Picked files, checked and converted here (HEIC, oversized): a refusal is said now, not after sending. */
  async function addPhotos(files: File[]) {
    const { photos: ready, refusals } = await prepareAll(files);
    setPhotoError(refusals.length > 0 ? refusals.join('\n') : null);
    if (ready.length > 0)
      setPhotos((cur) => [...cur, ...ready.map((blob) => ({ blob, url: URL.createObjectURL(blob) }))]);
  }

  function choose(c: IncidentCategory) {
    setCategory(c);
    setError(null);
    if (fix === 'idle' || fix === 'failed') locate();
  }

  function reset() {
    setCategory(null);
    setDetail('');
    setAddress('');
    setPhotos([]);
    setError(null);
    setPhotoError(null);
  }

  async function submit() {
    const at = place ?? fallbackCenter;
    if (!category || !at) {
      setError(mw('locateFailed', lang));
      return;
    }
    setIsSaving(true);
    try {
      await enqueue({
        kind: 'report',
        key: newKey(),
        at: nextAt(),
        report: {
          category,
          detail: detail.trim(),
          lng: at[0],
          lat: at[1],
          address: address.trim() || undefined,
          reportedAt: Date.now(),
        },
        photos: photos.map((p) => p.blob),
      });
      reset();
      onQueued();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setIsSaving(false);
    }
  }

  if (!category)
    return (
      <section className={styles.section}>
        <h2 className={styles.sectionTitle}>{mw('pickCategory', lang)}</h2>
        <div className={styles.categories}>
          {CATEGORY_ORDER.filter((c) => INCIDENT_CATEGORIES.includes(c)).map((c) => (
            <button key={c} type="button" className={styles.category} onClick={() => choose(c)}>
              {CATEGORY_LABELS[c][lang]}
            </button>
          ))}
        </div>
      </section>
    );

  const at = place ?? fallbackCenter;
  return (
    <section className={styles.section} data-testid="m-report-form">
      <h2 className={styles.sectionTitle}>
        {mw('report', lang)} · {CATEGORY_LABELS[category][lang]}
      </h2>
      <button
        type="button"
        className={styles.primary}
        disabled={isSaving || !at}
        onClick={() => void submit()}
        data-testid="m-submit"
      >
        {mw('submit', lang)}
      </button>
      {error && <p className={`${styles.banner} ${styles.bannerError}`}>{error}</p>}
      <div style={{ height: 14 }} />
      <label className={styles.field}>
        <span className={styles.label}>{mw('detail', lang)}</span>
        <textarea
          className={styles.textarea}
          value={detail}
          maxLength={2000}
          placeholder={mw('detailPh', lang)}
          onChange={(e) => setDetail(e.target.value)}
          name="detail"
        />
      </label>
      <div className={styles.field}>
        <span className={styles.label}>{mw('photos', lang)}</span>
        <div className={styles.photoRow}>
          {photos.map((p) => (
            <img key={p.url} src={p.url} alt="" className={styles.thumb} />
          ))}
          {photos.length < MAX_PHOTOS_PER_REPORT && (
            <label className={styles.photoButton}>
              {mw('takePhoto', lang)}
              <input
                ref={fileRef}
                className={styles.fileInput}
                type="file"
                accept="image/*"
                capture="environment"
                multiple
                data-testid="m-photo-input"
                onChange={(e) => {
                  const files = Array.from(e.target.files ?? []).slice(
                    0,
                    MAX_PHOTOS_PER_REPORT - photos.length,
                  );
                  e.target.value = '';
                  void addPhotos(files);
                }}
              />
            </label>
          )}
        </div>
        {photoError && (
          <p className={`${styles.banner} ${styles.bannerError}`} data-testid="m-photo-error" role="alert">
            {photoError}
          </p>
        )}
      </div>
      <div className={styles.field}>
        <span className={styles.label}>{mw('place', lang)}</span>
        <div className={styles.map}>{at && <PinMap value={at} onChange={setPlace} />}</div>
        <div className={styles.coords}>
          <span data-testid="m-coords">
            {fix === 'locating'
              ? mw('locating', lang)
              : fix === 'failed' && !place
                ? mw('locateFailed', lang)
                : at
                  ? `${at[0].toFixed(5)}, ${at[1].toFixed(5)}`
                  : ''}
          </span>
          <button type="button" className={styles.secondary} onClick={locate}>
            {mw('relocate', lang)}
          </button>
        </div>
      </div>
      <label className={styles.field}>
        <span className={styles.label}>{mw('address', lang)}</span>
        <input
          className={styles.input}
          value={address}
          maxLength={200}
          onChange={(e) => setAddress(e.target.value)}
          name="address"
        />
      </label>
      <button type="button" className={styles.secondary} style={{ width: '100%' }} onClick={reset}>
        {mw('cancel', lang)}
      </button>
    </section>
  );
}
