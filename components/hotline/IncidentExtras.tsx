'use client';

import type { IncidentSource } from '@/lib/domain/enums';
import type { Role } from '@/lib/domain/incident-lifecycle';
import type { Lang } from '@/lib/wall/i18n';
import { HotlineSection } from './HotlineSection';

/**
 * What a source adds to the incident panel: the 12345 fields (a camera alarm's snapshot is one of the
 * incident's photos: components/photos/IncidentPhotos). One element in
 * one place, keyed by the incident by its caller, so switching incidents always starts it afresh (a hotline
 * section must never outlive its incident into another one's panel).
 */
export function IncidentExtras(props: {
  incidentId: string;
  source: IncidentSource;
  role: Role;
  lang: Lang;
  tz: string;
}) {
  const { incidentId, source, role, lang, tz } = props;
  if (source === 'hotline_12345')
    return <HotlineSection incidentId={incidentId} role={role} lang={lang} tz={tz} />;
  return null;
}
