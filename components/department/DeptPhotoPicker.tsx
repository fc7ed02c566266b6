'use client';

import { useRef, useState } from 'react';
import { MAX_PHOTOS_PER_REPORT } from '@/lib/mobile/contract';
import { photoUrls } from '@/lib/uploads/attachments';
import type { Lang } from '@/lib/wall/i18n';
import styles from './dept.module.css';

const WORDS = {
  add: { zh: '添加现场照片', en: 'Add photos' },
  uploading: { zh: '上传中…', en: 'Uploading…' },
  remove: { zh: '移除', en: 'Remove' },
  limit: { zh: `每次最多 ${MAX_PHOTOS_PER_REPORT} 张`, en: `At most ${MAX_PHOTOS_PER_REPORT} at a time` },
  hint: { zh: '随「反馈」或「办结」一并提交', en: 'Sent with Feedback or Resolve' },
} as const;

/**
 * Photos for a department's 反馈 or 办结: each chosen file is uploaded at once (POST /api/dept/uploads: the
 * server checks its bytes, strips its metadata and stores it by its hash), shown from the stored thumbnail,
 * and sent with the next action by its hash. A refused file says why (too large, not a picture).
 */
export function DeptPhotoPicker(props: {
  lang: Lang;
  hashes: readonly string[];
  onChange: (hashes: string[]) => void;
  onError: (message: string | null) => void;
  disabled?: boolean;
}) {
  const { lang, hashes, onChange, onError } = props;
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);

  const upload = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    const room = MAX_PHOTOS_PER_REPORT - hashes.length;
    if (files.length > room) onError(WORDS.limit[lang]);
    setBusy(true);
    const next = [...hashes];
    try {
      for (const file of [...files].slice(0, Math.max(0, room))) {
        const r = await fetch('/api/dept/uploads', {
          method: 'POST',
          headers: { 'content-type': file.type || 'application/octet-stream' },
          body: file,
          credentials: 'same-origin',
        });
        const body = (await r.json().catch(() => ({}))) as { hash?: string; error?: string };
        if (!r.ok || !body.hash) {
          onError(`${file.name}: ${body.error ?? `上传失败 (${r.status})`}`);
          continue;
        }
        if (!next.includes(body.hash)) next.push(body.hash);
      }
      onChange(next);
    } catch {
      onError(lang === 'zh' ? '网络中断，照片未上传' : 'Offline: photo not uploaded');
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };

  return (
    <div className={styles.photoPicker} data-testid="dept-photo-picker">
      {hashes.map((h) => (
        <figure key={h} className={styles.photoPending} data-testid="dept-photo-pending">
          <img src={photoUrls(h).thumbUrl} alt={WORDS.add[lang]} />
          <button
            type="button"
            className={styles.photoRemove}
            onClick={() => onChange(hashes.filter((x) => x !== h))}
            aria-label={WORDS.remove[lang]}
            title={WORDS.remove[lang]}
          >
            ×
          </button>
        </figure>
      ))}
      {hashes.length < MAX_PHOTOS_PER_REPORT && (
        <label className={styles.photoAdd}>
          <input
            ref={input}
            type="file"
            accept="image/jpeg,image/png,image/webp"
            multiple
            disabled={busy || props.disabled}
            onChange={(e) => void upload(e.target.files)}
            data-testid="dept-photo-input"
          />
          <span>{busy ? WORDS.uploading[lang] : `＋ ${WORDS.add[lang]}`}</span>
        </label>
      )}
      <span className={styles.photoHint}>{WORDS.hint[lang]}</span>
    </div>
  );
}
