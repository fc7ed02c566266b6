/**
 * Town cards for wide splice walls (lib/wall/town-cards.ts): per child region of a scope, open / overdue /
 * 特急 incidents, cameras by state and patrol units, plus the cameras that are down by name. Everything is
 * "now", from the live state (what the map draws), like the live half of wall-stats. Read-only route:
 * GET /api/wall/town-cards?region=, for a signed-in user or a display token.
 */
import type { Clock } from '@/lib/clock';
import { CAMERA_STATUSES, VEHICLE_STATUSES } from '@/lib/domain/enums';
import { regionPrefix } from '@/lib/domain/region-code';
import { timeLimitStatus, type TimeLimitConfig } from '@/lib/domain/time-limits';
import { STALE_AFTER_MS } from '@/lib/realtime/contract';
import { OFFLINE_CAMERAS_MAX, TOWN_CARDS_MAX, type TownCard, type TownCards } from '@/lib/wall/town-cards';
import type { SqlRunner } from '../db/sql-db';
import type { RegionGate } from '../auth/region-scope';
import { HttpError, sendJson, type Route } from '../http/router';
import type { LiveState } from '../live/live-state';
import { followTerritory, regionIndex, type RegionNode } from './region-index';

/** Cards are recomputed at most this often per scope: walls poll, and a province has many cameras. */
export const TOWN_CARDS_REFRESH_MS = 5_000;
const CACHE_MAX = 64;

export interface TownCardsDeps {
  /** Read from, and followed for territory changes (an import redraws the cards' regions). */
  sql: SqlRunner;
  live: LiveState;
  clock: Clock;
  limits?: TimeLimitConfig;
}

export async function computeTownCards(deps: TownCardsDeps, regionCode: string | null): Promise<TownCards> {
  const { live, clock } = deps;
  const now = clock.now();
  const idx = await regionIndex(deps.sql, now, live);
  const node = regionCode ? (idx.byCode.get(regionCode) ?? null) : idx.top;
  const prefix = node ? regionPrefix(node.code) : '';
  const children: RegionNode[] = idx.childrenOf.get(node ? node.code : null) ?? [];
  const childLen = children[0] ? regionPrefix(children[0].code).length : 0;
  const childByPrefix = new Map(children.map((c, k) => [regionPrefix(c.code), k]));
  const childOf = (gridCode: string | null | undefined): number =>
    gridCode && childLen ? (childByPrefix.get(gridCode.slice(0, childLen)) ?? -1) : -1;

  const cards: TownCard[] = children.map((c) => ({
    code: c.code,
    name: c.name,
    open: 0,
    overdue: 0,
    critical: 0,
    cameras: { total: 0, online: 0, offline: 0, fault: 0 },
    units: { total: 0, onDuty: 0 },
  }));

  for (const v of live.incidents.values()) {
    const k = childOf(v.gridCode);
    if (k < 0) continue;
    const card = cards[k]!;
    card.open++;
    if (v.priority === 1) card.critical++;
    if (timeLimitStatus(v, now, deps.limits).lamp === 'red') card.overdue++;
  }

  // Cameras: per child by their grid; the down ones of the whole scope listed by name.
  const ONLINE = CAMERA_STATUSES.indexOf('online');
  const FAULT = CAMERA_STATUSES.indexOf('fault');
  const down: TownCards['offlineCameras'] = [];
  let offlineTotal = 0;
  const cams = live.camera;
  const isWhole = prefix === '';
  for (let i = 0; i < cams.count; i++) {
    if (cams.isDisabled[i] === 1) continue; // disabled by an administrator: not a down camera to list
    const g = i < idx.cameraGrid.length ? idx.cameraGrid[i]! : -1;
    const grid = g >= 0 ? idx.gridCodes[g]! : null;
    // Cameras in no grid (registered by their first report) belong to the whole territory only.
    if (grid === null ? !isWhole : !grid.startsWith(prefix)) continue;
    const isStale = !(now - cams.ts[i]! <= STALE_AFTER_MS.camera);
    const st = cams.status[i]!;
    const state =
      st === FAULT ? 'fault' : isStale && st === ONLINE ? 'stale' : st === ONLINE ? 'online' : 'offline';
    const k = childOf(grid);
    if (k >= 0) {
      const c = cards[k]!.cameras;
      c.total++;
      if (state === 'online') c.online++;
      else if (state === 'fault') c.fault++;
      else c.offline++;
    }
    if (state === 'online') continue;
    offlineTotal++;
    if (down.length < OFFLINE_CAMERAS_MAX * 4) {
      const m = cams.metaOf(i)!;
      down.push({
        id: m.id,
        name: m.name ?? m.id,
        status: state,
        regionName: k >= 0 ? cards[k]!.name : null,
      });
    }
  }
  const rank = { fault: 0, offline: 1, stale: 2 } as const;
  down.sort((a, b) => rank[a.status] - rank[b.status] || a.name.localeCompare(b.name, 'zh'));

  // Units move between regions: a card counts those inside its region's box now (what the map shows).
  const OFFLINE = VEHICLE_STATUSES.indexOf('offline');
  const s = live.vehicle;
  const boxes = children.map((c) => c.bbox);
  for (let i = 0; i < s.count; i++) {
    const lng = s.lng[i]!;
    const lat = s.lat[i]!;
    const k = boxes.findIndex((b) => !!b && lng >= b[0] && lng <= b[2] && lat >= b[1] && lat <= b[3]);
    if (k < 0) continue;
    const u = cards[k]!.units;
    u.total++;
    if (s.status[i] !== OFFLINE && now - s.ts[i]! <= STALE_AFTER_MS.vehicle) u.onDuty++;
  }

  cards.sort((a, b) => b.open - a.open || b.overdue - a.overdue || a.code.localeCompare(b.code));
  return {
    at: now,
    regionCode: regionCode ? (node?.code ?? regionCode) : null,
    cards: cards.slice(0, TOWN_CARDS_MAX),
    offlineCameras: down.slice(0, OFFLINE_CAMERAS_MAX),
    offlineTotal,
  };
}

/** Clamped to the principal's region: a town's screen asks for its own town (or a part), never a neighbour. */
export function createTownCardsRoutes(deps: TownCardsDeps & { regions: RegionGate }): Route[] {
  followTerritory(deps.sql);
  const cache = new Map<string, TownCards>();
  /** One computation per scope at a time: walls polling together share it. */
  const computing = new Map<string, Promise<TownCards>>();
  const cardsFor = (key: string, region: string | null): Promise<TownCards> => {
    let p = computing.get(key);
    if (!p) {
      p = computeTownCards(deps, region)
        .then((cards) => {
          cache.delete(key);
          cache.set(key, cards);
          if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
          return cards;
        })
        .finally(() => computing.delete(key));
      computing.set(key, p);
    }
    return p;
  };
  return [
    {
      method: 'GET',
      path: '/api/wall/town-cards',
      handler: async (ctx) => {
        const { res, url, principal } = ctx;
        if (!principal) throw new HttpError(401, 'sign in or use a display token');
        const region = deps.regions.regionParam(
          ctx,
          principal,
          url.searchParams.get('region'),
          'wall.town_cards',
        );
        const key = region ?? '*';
        const hit = cache.get(key);
        const now = deps.clock.now();
        if (hit && now - hit.at < TOWN_CARDS_REFRESH_MS) return sendJson(res, 200, hit);
        sendJson(res, 200, await cardsFor(key, region));
      },
    },
  ];
}
