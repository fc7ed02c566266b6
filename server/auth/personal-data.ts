import type { IncidentView } from '@/lib/domain/incident';
import type { WallStats } from '@/lib/wall/stats';
import { maskFreeText } from '@/lib/wall/format';
import { canSeePersonalNames } from '../dispatch/name-lookup';

/**
 * Who may read personal data in full: reporter, phone, and phone or ID numbers written into free text.
 * Everyone else (a duty officer's wall, a display token, a department) gets free text masked on the server:
 * what leaves the server is what that principal may see, whatever the page does with it.
 */
export function canSeePersonalData(p: { role: string; isDisplay?: boolean } | null): boolean {
  return p !== null && canSeePersonalNames(p);
}

/** Masks an optional free-text field (null stays null). */
export function maskText(text: string | null): string | null;
export function maskText(text: string | null | undefined): string | null | undefined;
export function maskText(text: string | null | undefined): string | null | undefined {
  return text == null ? text : maskFreeText(text);
}

/** The incident as a principal without personal-data rights may see it: title and address masked. */
export function maskIncidentView(v: IncidentView): IncidentView {
  return { ...v, title: maskFreeText(v.title), address: maskText(v.address) };
}

/** Wall panels as a principal without personal-data rights may see them: the 督办 list's titles masked. */
export function maskWallStats(s: WallStats): WallStats {
  return { ...s, overdueList: s.overdueList.map((i) => ({ ...i, title: maskFreeText(i.title) })) };
}
