import type { Route } from '../http/router';
import type { AdminDeps } from './admin-deps';
import { createDepartmentRoutes } from './department-routes';
import { createTimeLimitRoutes } from './time-limit-routes';
import { createTokenRoutes } from './token-routes';
import { createUserRoutes } from './user-routes';

export type { AdminDeps } from './admin-deps';

/**
 * The admin console's API: accounts, wall display tokens, departments and 时限. Every route is admin-only
 * (`authorize`) and every change is audited with its before and after. Imports and field devices have
 * their own modules (`server/admin/import/*`, `device-routes.ts`) built from the same `AdminDeps`.
 */
export function createAdminRoutes(deps: AdminDeps): Route[] {
  return [
    ...createUserRoutes(deps),
    ...createTokenRoutes(deps),
    ...createDepartmentRoutes(deps),
    ...createTimeLimitRoutes(deps),
  ];
}
