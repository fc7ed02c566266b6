/**
 * Who an entity idx is. Batches carry positions by idx only (names and ids would be most of a province
 * snapshot, B4), so a wall asks here for the one unit or camera it opens (or, for one it found by id, its
 * idx), and an integration pages through the ids. All answer with the numbering's epoch: an idx from another
 * server lifetime is refused (409).
 */
import { ENTITY_ID_PAGE_MAX, type EntityIdPage, type EntityInfo } from '@/lib/realtime/contract';
import { ENTITY_KINDS, type EntityKind } from '@/lib/realtime/position-codec';
import type { LiveState } from '../live/live-state';
import type { RegionGate } from '../auth/region-scope';
import { HttpError, sendJson, type Route, type RouteContext } from './router';

function kindOf(ctx: RouteContext): EntityKind {
  const kind = ctx.params.kind as EntityKind;
  if (!ENTITY_KINDS.includes(kind))
    throw new HttpError(404, `kind must be one of ${ENTITY_KINDS.join(', ')}`);
  return kind;
}

function intParam(raw: string | null, name: string, fallback: number): number {
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,10}$/.test(raw)) throw new HttpError(400, `${name} must be a non-negative integer`);
  return Number(raw);
}

/**
 * `isOpen`: no authentication is configured (tests, a closed lab), so walls' sockets are open too.
 * A region-scoped principal learns who an idx is only for a unit or camera of its region (or drawn on its
 * wall now); the whole-territory id pages are for unscoped integrations, and refused to it.
 */
export function createLiveRoutes(live: LiveState, opts: { isOpen: boolean; regions: RegionGate }): Route[] {
  const { regions } = opts;
  const guard = (ctx: RouteContext) => {
    if (!ctx.principal && !opts.isOpen) throw new HttpError(401, 'sign in or use a display token');
    const epoch = ctx.url.searchParams.get('epoch');
    if (epoch !== null && epoch !== live.epoch)
      throw new HttpError(409, 'entity numbering changed (server restarted): resync and ask again', {
        epoch: live.epoch,
      });
  };
  /** Who is at `idx`, if the principal may know: outside its region reads as missing. */
  const info = async (
    ctx: RouteContext,
    kind: EntityKind,
    idx: number,
    notFound: string,
  ): Promise<EntityInfo> => {
    const store = live.store(kind);
    const m = store.metaOf(idx);
    if (!m) throw new HttpError(404, notFound);
    if (ctx.principal) {
      const pos = { lng: store.lng[idx]!, lat: store.lat[idx]! };
      regions.require(ctx, ctx.principal, await regions.hasEntity(ctx.principal, kind, m.id, pos), {
        action: `${kind}.info`,
        objectType: kind,
        objectId: m.id,
        notFound,
      });
    }
    return { epoch: live.epoch, kind, idx, id: m.id, name: m.name, type: m.kind };
  };

  return [
    {
      method: 'GET',
      path: '/api/live/:kind/ids',
      handler: (ctx) => {
        guard(ctx);
        const kind = kindOf(ctx);
        // Its ids are dense by idx (ids[k] is idx from + k): filtering would break that, so refuse outright.
        if (ctx.principal) regions.refuseScoped(ctx, ctx.principal, `${kind}.ids`, kind);
        const store = live.store(kind);
        const from = intParam(ctx.url.searchParams.get('from'), 'from', 0);
        const limit = Math.min(
          ENTITY_ID_PAGE_MAX,
          intParam(ctx.url.searchParams.get('limit'), 'limit', ENTITY_ID_PAGE_MAX),
        );
        const to = Math.min(store.count, from + limit);
        const ids = store.idsIn(from, to);
        const page: EntityIdPage = { epoch: live.epoch, kind, from, ids, count: store.count };
        sendJson(ctx.res, 200, page);
      },
    },
    {
      method: 'GET',
      path: '/api/live/:kind/:idx',
      handler: async (ctx) => {
        guard(ctx);
        const kind = kindOf(ctx);
        const idx = intParam(ctx.params.idx ?? null, 'idx', -1);
        sendJson(ctx.res, 200, await info(ctx, kind, idx, `no ${kind} at idx ${idx}`));
      },
    },
    {
      // The other way round: a unit found by search, opened in replay, is read from the replayed frame at its
      // idx, as a unit clicked on the replay map is.
      method: 'GET',
      path: '/api/live/:kind/id/:id',
      handler: async (ctx) => {
        guard(ctx);
        const kind = kindOf(ctx);
        const id = ctx.params.id ?? '';
        const idx = live.store(kind).indexOf(id) ?? -1;
        sendJson(ctx.res, 200, await info(ctx, kind, idx, `no ${kind} ${id}`));
      },
    },
  ];
}
