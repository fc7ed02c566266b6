import { isWithinRegion } from '@/lib/domain/region-code';
import { canSeePersonalData } from '../auth/personal-data';
import type { Principal } from '../http/router';
import type { IncidentVariant } from '../live/incident-board';
import { regionScope, WHOLE_TERRITORY, type Scope } from './scope';

/**
 * What one socket may receive, decided once from its principal at the handshake: the region it is confined
 * to, and whether incidents reach it with personal data masked. The hub never widens either.
 */
export interface ClientAccess {
  /** The principal's region (12/15-digit code); null: the whole territory. */
  regionCode: string | null;
  incidentVariant: IncidentVariant;
  /** Who the socket counts against for MAX_SOCKETS_PER_PRINCIPAL; null: not counted (no auth configured). */
  principalKey: string | null;
}

/** Without auth (API-only tests, benches) every socket sees everything, as before auth existed. */
export const OPEN_ACCESS: ClientAccess = { regionCode: null, incidentVariant: 'raw', principalKey: null };

export function accessOf(principal: Principal): ClientAccess {
  return {
    regionCode: principal.regionCode ?? null,
    incidentVariant: canSeePersonalData(principal) ? 'raw' : 'masked',
    principalKey: principalKey(principal),
  };
}

/**
 * One name per principal: a display token's principal is already `display:<name>`, so every screen opened
 * with it counts as one; users are prefixed so that no username can pose as a screen.
 */
export function principalKey(p: Principal): string {
  return p.isDisplay ? p.username : `user:${p.username}`;
}

/** The client's address as the handshake middleware resolved it (behind TRUSTED_PROXIES), for logs. */
export function clientAddressOf(socket: { data?: unknown; handshake: { address: string } }): string {
  const resolved = (socket.data as { clientAddress?: unknown } | undefined)?.clientAddress;
  return typeof resolved === 'string' ? resolved : socket.handshake.address;
}

export type ClampResult = { ok: true; regionCode: string | null } | { ok: false };

/**
 * The region a confined principal actually watches: its own when it asks for the whole territory, the
 * request when it lies inside (a town's screen may drill into its communities and grids), and a refusal
 * when it lies outside or above.
 */
export function clampRegion(allowed: string | null, requested: string | null): ClampResult {
  if (allowed === null) return { ok: true, regionCode: requested };
  if (requested === null) return { ok: true, regionCode: allowed };
  return isWithinRegion(requested, allowed) ? { ok: true, regionCode: requested } : { ok: false };
}

/**
 * The scope a client watches for `regionCode` (already clamped to its access). An unknown code: the
 * principal's own region at connection (`isFallback`), else null (refused). A principal's region without a
 * known extent (its territory not imported yet) still confines: no units, only incidents graded into it,
 * never the whole territory.
 */
export function scopeFor(
  access: ClientAccess,
  regionCode: string | null,
  resolve: (regionCode: string) => Scope | null,
  isFallback: boolean,
): Scope | null {
  const own = access.regionCode;
  if (own === null) {
    if (regionCode === null) return WHOLE_TERRITORY;
    return resolve(regionCode) ?? (isFallback ? WHOLE_TERRITORY : null);
  }
  const code = regionCode ?? own;
  const scope =
    resolve(code) ?? (code === own || isFallback ? (resolve(own) ?? regionScope(own, null)) : null);
  return scope && confine(scope, own);
}

/**
 * A scope that also keeps incidents to the principal's region: a city or province wall otherwise lists the
 * incidents nobody could place in a grid, and those belong to the unconfined whole-territory wall only (as
 * the REST reads answer them). Positions are unchanged, so walls of one region still share encoded batches.
 */
function confine(scope: Scope, regionCode: string): Scope {
  const inner = scope.containsIncident;
  return { ...scope, containsIncident: (v) => isWithinRegion(v.gridCode, regionCode) && inner(v) };
}
