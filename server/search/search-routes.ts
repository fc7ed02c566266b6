import type { SearchResponse } from '@/lib/search/search-result';
import { sendJson, type Principal, type Route } from '../http/router';
import { ANY_ROLE, type Authorize } from '../auth/guard';
import type { Search } from './search';

/** The principal's region, once auth carries it (users.region_code, display_tokens.region_code). */
function regionOf(p: Principal): string | null {
  return (p as Principal & { regionCode?: string | null }).regionCode ?? null;
}

/** GET /api/search?q= : signed in (any role, display tokens too); results within the principal's region. */
export function createSearchRoutes(deps: { search: Search; authorize: Authorize }): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/search',
      handler: (ctx) => {
        const p = deps.authorize(ctx, { roles: ANY_ROLE, action: 'search', objectType: 'search' });
        const body: SearchResponse = {
          results: deps.search(ctx.url.searchParams.get('q') ?? '', { regionCode: regionOf(p) }),
        };
        sendJson(ctx.res, 200, body);
      },
    },
  ];
}
