import type { Lang } from '@/lib/wall/i18n';
import type { Photo } from '../photos/photo';

/**
 * The snapshot a camera alarm came with (GET /api/incidents/:id/snapshot, region-checked on the server), as
 * one of the incident's photos (components/photos). Shown only when the attachment list says the incident has one (hasSnapshot).
 * The snapshot is stored as the platform sent it (evidence), so the thumbnail is the picture itself, scaled.
 */
export function alarmSnapshotPhoto(
  incidentId: string,
  lang: Lang,
  imageUrl: (url: string) => string = (u) => u,
): Photo {
  const src = imageUrl(`/api/incidents/${encodeURIComponent(incidentId)}/snapshot`);
  return {
    key: 'snapshot',
    src,
    thumbSrc: src,
    label: lang === 'zh' ? '告警抓拍' : 'Alarm snapshot',
    badge: lang === 'zh' ? '告警抓拍' : 'Alarm snapshot',
    testId: 'alarm-snapshot',
  };
}
