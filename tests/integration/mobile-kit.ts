import { sql } from 'drizzle-orm';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { FakeClock } from '@/lib/clock';
import { createUser, seedDemoAccounts } from '@/server/auth/accounts';
import { LoginLimiter } from '@/server/auth/login-limiter';
import type { SqlDb } from '@/server/db/sql-db';
import { dispatchAppHooks, type DispatchModule } from '@/server/dispatch/dispatch-module';
import { createMobileModuleRoutes } from '@/server/mobile/mobile-module';
import { fetchJson } from '../helpers/http';
import { startTestApp, type TestApp } from '../helpers/test-app';

export const PASSWORD = 'pingan-demo';
/** Community A (社区 330102001001) holds grid A; community B next door holds grid B. */
export const GRID_A = '330102001001001';
export const GRID_B = '330102001002001';
export const IN_A = { lng: 120.17, lat: 30.25 };
export const IN_B = { lng: 120.19, lat: 30.25 };

function box(x0: number, y0: number, x1: number, y1: number): string {
  return JSON.stringify({
    type: 'Polygon',
    coordinates: [
      [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
        [x0, y0],
      ],
    ],
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted structurally
type Body = any;

export interface MobileKit {
  t: TestApp;
  clock: FakeClock;
  mod: DispatchModule;
  uploadsDir: string;
  login(username: string): Promise<string>;
  api(
    method: string,
    p: string,
    o?: { cookie?: string; body?: unknown },
  ): Promise<{ status: number; body: Body }>;
  upload(cookie: string, data: Buffer): Promise<{ status: number; body: Body }>;
  close(): Promise<void>;
}

/** A JPEG as a phone takes it (with EXIF), distinct per `seed`. */
export function phonePhoto(seed: number): Promise<Buffer> {
  return sharp({
    create: { width: 48, height: 36, channels: 3, background: { r: seed % 256, g: 90, b: 160 } },
  })
    .jpeg()
    .withMetadata({ exif: { IFD0: { Artist: `worker-${seed}` } } })
    .toBuffer();
}

async function seedWorld(db: SqlDb, clock: FakeClock): Promise<void> {
  const grid = (code: string, communityCode: string, name: string, geometry: string, at: typeof IN_A) =>
    db.run(sql`INSERT INTO grids (code, community_code, name, geometry, center_lng, center_lat)
      VALUES (${code}, ${communityCode}, ${name}, ${geometry}, ${at.lng}, ${at.lat})`);
  await grid(GRID_A, '330102001001', '甲网格', box(120.16, 30.24, 120.18, 30.26), IN_A);
  await grid(GRID_B, '330102001002', '乙网格', box(120.18, 30.24, 120.2, 30.26), IN_B);
  const worker = (id: string, name: string, gridCode: string) =>
    db.run(sql`INSERT INTO workers (id, name, role, grid_code, created_at)
      VALUES (${id}, ${name}, 'full_time', ${gridCode}, ${clock.now()})`);
  await worker('w-a', '王网格', GRID_A);
  await worker('w-b', '李网格', GRID_B);
  await seedDemoAccounts(db, clock, PASSWORD);
  await createUser(db, clock, { username: 'grid01', role: 'worker', password: PASSWORD, workerId: 'w-a' });
  await createUser(db, clock, { username: 'grid02', role: 'worker', password: PASSWORD, workerId: 'w-b' });
  // A leader of community B only: may read B's incidents, not A's.
  await createUser(db, clock, {
    username: 'leader-b',
    role: 'leader',
    password: PASSWORD,
    regionCode: '330102001002',
  });
}

/**
 * The real app (real database, real HTTP, in-process bus) with dispatch and the mobile routes, a world of
 * two grids in two communities, worker w-a (account grid01) in A and w-b (grid02) in B.
 */
export async function startMobileKit(): Promise<MobileKit> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-mobile-'));
  const dbPath = path.join(dir, 'test.db');
  const uploadsDir = path.join(dir, 'uploads');
  const clock = new FakeClock(Date.now());
  // The grids exist before the app starts: it places reports with the grids it loaded. A first start on
  // the same file seeds them through the app's own database (SQLite or PostgreSQL), then the app under test
  // starts afresh on it.
  const seeding = await startTestApp({ dbPath, clock });
  try {
    await seedWorld(seeding.app.ctx.sql, clock);
  } finally {
    await seeding.close();
  }

  const hooks = dispatchAppHooks({ limiter: new LoginLimiter(10_000) });
  const t = await startTestApp({
    dbPath,
    clock,
    auth: hooks.auth,
    routes: (ctx) => [...hooks.routes(ctx), ...createMobileModuleRoutes(ctx, hooks.module()!)],
    env: { UPLOADS_DIR: uploadsDir },
  });
  const mod = hooks.module()!;

  const api = (method: string, p: string, o: { cookie?: string; body?: unknown } = {}) =>
    fetchJson(`${t.url}${p}`, { method, headers: o.cookie ? { cookie: o.cookie } : {}, body: o.body });

  return {
    t,
    clock,
    mod,
    uploadsDir,
    api,
    async login(username) {
      const r = await fetch(`${t.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: PASSWORD }),
      });
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
      return r.headers.get('set-cookie')!.split(';')[0]!;
    },
    async upload(cookie, data) {
      const r = await fetch(`${t.url}/api/m/uploads`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'image/jpeg' },
        body: new Uint8Array(data),
      });
      return { status: r.status, body: (await r.json()) as Body };
    },
    close: () => t.close(),
  };
}
