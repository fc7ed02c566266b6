import { FakeClock } from '@/lib/clock';
import { createImportRoutes } from '@/server/admin/import-routes';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { LoginLimiter } from '@/server/auth/login-limiter';
import { dispatchAppHooks } from '@/server/dispatch/dispatch-module';
import { createMapRoutes } from '@/server/http/routes/map';
import { createWallRoutes } from '@/server/stats/wall-routes';
import { startTestApp, type TestApp } from '../helpers/test-app';

export const DEMO_PASSWORD = 'pingan-demo';

export interface ImportApp {
  t: TestApp;
  clock: FakeClock;
  login(username: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real app on port 0 wired as server/main.ts wires it for imports: auth and audit (dispatch module),
 * the map and wall routes whose caches an import must refresh, and the import routes.
 */
export async function startImportApp(env: Record<string, string> = {}): Promise<ImportApp> {
  const clock = new FakeClock(Date.now());
  const hooks = dispatchAppHooks({ limiter: new LoginLimiter(10_000) });
  const t = await startTestApp({
    env,
    clock,
    auth: hooks.auth,
    routes: (ctx) => [
      ...hooks.routes(ctx),
      ...createMapRoutes({ db: ctx.sql, config: ctx.config }),
      ...createWallRoutes({
        sql: ctx.sql,
        live: ctx.live,
        clock: ctx.clock,
        regions: ctx.regions,
      }),
      ...createImportRoutes(ctx, hooks.module()!),
    ],
  });
  await seedDemoAccounts(t.app.ctx.sql, clock, DEMO_PASSWORD);
  return {
    t,
    clock,
    async login(username) {
      const r = await fetch(`${t.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: DEMO_PASSWORD }),
      });
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
      return r.headers.get('set-cookie')!.split(';')[0]!;
    },
    close: () => t.close(),
  };
}
