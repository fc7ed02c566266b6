'use client';

import { useEffect, useMemo, useState } from 'react';
import { attachmentsAsOf } from '@/lib/history/replay-detail';
import { formatDateTime } from '@/lib/time/display-time';
import type { AttachmentList, IncidentAttachment } from '@/lib/uploads/attachments';
import type { Lang } from '@/lib/wall/i18n';
import { alarmSnapshotPhoto } from '../hotline/AlarmSnapshot';
import type { Photo } from './photo';
import { PhotoStrip, type PhotoStripSize } from './PhotoStrip';

const WORDS = {
  title: { zh: '现场照片', en: 'Photos' },
  photo: { zh: '现场照片', en: 'Photo' },
} as const;

/**
 * Attachments as photos: when each was attached (and, on a desk, by which account) goes into the full-size
 * view's caption. A wall is seen by a room, so it shows the time only: an account name can be a person's.
 */
export function attachmentPhotos(
  list: readonly IncidentAttachment[],
  lang: Lang,
  tz: string,
  opts: { imageUrl?: (url: string) => string; isWall?: boolean } = {},
): Photo[] {
  const imageUrl = opts.imageUrl ?? ((u: string) => u);
  return list.map((a) => ({
    key: a.hash,
    src: imageUrl(a.url),
    thumbSrc: imageUrl(a.thumbUrl),
    label: WORDS.photo[lang],
    caption: opts.isWall ? formatDateTime(a.addedAt, tz) : `${a.addedBy} · ${formatDateTime(a.addedAt, tz)}`,
  }));
}

/**
 * The pictures an incident carries where people decide (the console's panel, the wall's drawer): its alarm
 * snapshot (a camera alarm's) and the photos a grid worker or department attached. The list is re-read when
 * `refreshKey` changes (the incident moved: a 反馈 with a photo is a timeline step). A list the server refuses
 * (401/403/404: not this viewer's to see) or cannot give shows nothing rather than an error: the rest of the
 * panel stands.
 */
export function IncidentPhotos(props: {
  incidentId: string;
  lang: Lang;
  tz: string;
  fetcher: (url: string) => Promise<Response>;
  size: PhotoStripSize;
  refreshKey?: string | number;
  /** A token-opened wall's images carry the token (an <img> sends no header). */
  imageUrl?: (url: string) => string;
  max?: number;
  /** Replaying: only the pictures attached by this instant. */
  asOf?: number;
}) {
  const { incidentId, lang, tz, fetcher, size, refreshKey, imageUrl, max } = props;
  const [list, setList] = useState<IncidentAttachment[]>([]);
  // Asked, not assumed from the source: a video_patrol incident may have come without a picture, and an <img>
  // that answers 404 is an error in the browser's console on a wall that must run clean for days.
  const [hasSnapshot, setHasSnapshot] = useState(false);

  useEffect(() => {
    let isCancelled = false;
    fetcher(`/api/incidents/${encodeURIComponent(incidentId)}/attachments`)
      .then(async (r) => {
        if (!r.ok) return; // not this viewer's, or gone: the strip stays as it was (empty at first)
        const body = (await r.json()) as AttachmentList;
        if (isCancelled) return;
        if (Array.isArray(body.attachments)) setList(body.attachments);
        setHasSnapshot(body.hasSnapshot === true);
      })
      .catch(() => undefined); // offline: the panel says so elsewhere; the last list stays
    return () => {
      isCancelled = true;
    };
  }, [incidentId, fetcher, refreshKey]);

  const asOf = props.asOf;
  const photos = useMemo(() => {
    const shown = asOf === undefined ? list : attachmentsAsOf(list, asOf);
    const all = attachmentPhotos(shown, lang, tz, { imageUrl, isWall: size === 'wall' });
    if (hasSnapshot) all.unshift(alarmSnapshotPhoto(incidentId, lang, imageUrl));
    return all;
  }, [list, asOf, lang, tz, imageUrl, size, hasSnapshot, incidentId]);

  return (
    <PhotoStrip
      key={incidentId}
      photos={photos}
      lang={lang}
      size={size}
      title={WORDS.title[lang]}
      max={max}
      testId="incident-photos"
    />
  );
}
