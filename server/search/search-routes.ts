import type { SearchResponse } from '@/lib/search/search-result';
import { sendJson, type Route } from '../http/router';
import { canSeePersonalData } from '../auth/personal-data';
import { ANY_ROLE, type Authorize } from '../auth/guard';
import type { Search } from './search';

/**
 * GET /api/search?q= : signed in (any role, display tokens too); results within the principal's region; grid
 * workers' names masked (and not searchable), and phone or ID numbers in incidents masked, for a wall or a
 * role not entitled to personal data.
 */
export function createSearchRoutes(deps: { search: Search; authorize: Authorize }): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/search',
      handler: async (ctx) => {
        const p = deps.authorize(ctx, { roles: ANY_ROLE, action: 'search', objectType: 'search' });
        const body: SearchResponse = {
          results: await deps.search(ctx.url.searchParams.get('q') ?? '', {
            regionCode: p.regionCode ?? null,
            isMasked: !canSeePersonalData(p),
          }),
        };
        sendJson(ctx.res, 200, body);
      },
    },
  ];
}
