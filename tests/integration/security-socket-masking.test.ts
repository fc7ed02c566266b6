import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentView } from '@/lib/domain/incident';
import type { WireBatch } from '@/lib/realtime/contract';
import { FakeClock } from '@/lib/clock';
import { seedDemoAccounts } from '@/server/auth/accounts';
import { LoginLimiter } from '@/server/auth/login-limiter';
import { dispatchAppHooks } from '@/server/dispatch/dispatch-module';
import { createStatsProvider } from '@/server/stats/wall-routes';
import { startTestApp, waitFor, type WallClient } from '../helpers/test-app';
import { DEMO_PASSWORD, startDispatchKit, type DispatchKit } from './dispatch-test-kit';

/**
 * Issue 16, item 2 (socket side): phone and ID numbers written into an incident's title or address leave the
 * server masked for every principal not entitled to personal data (duty officers, display tokens), in the
 * snapshot and in deltas; dispatchers still read them in full. Real app, real database (SQLite or PostgreSQL), real Socket.IO clients.
 */
const PHONE = '13812345678';
const ID_NUMBER = '110101199003071234';
const TITLE = `群众报警 ${PHONE} 身份证${ID_NUMBER} 称邻里纠纷`;
const ADDRESS = `幸福路 1 号 联系 ${PHONE}`;

let kit: DispatchKit;
let cookies: Record<'duty' | 'dispatcher' | 'admin', string>;
let token: string;

beforeAll(async () => {
  kit = await startDispatchKit();
  cookies = {
    duty: await kit.login('duty'),
    dispatcher: await kit.login('dispatcher'),
    admin: await kit.login('admin'),
  };
  const created = await kit.api('POST', '/api/display-tokens', {
    cookie: cookies.admin,
    body: { name: '值班大屏' },
  });
  expect(created.status).toBe(201);
  token = created.body.token as string;
  await kit.addIncident('PII-SNAP', { title: TITLE, address: ADDRESS });
});

afterAll(async () => {
  await kit?.close();
});

function openWall(who: { cookie?: string; token?: string }) {
  const socket: WallClient = ioClient(kit.t.url, {
    transports: ['websocket'],
    extraHeaders: who.cookie ? { cookie: who.cookie } : {},
    auth: who.token ? { token: who.token } : {},
    reconnection: false,
  });
  const batches: WireBatch[] = [];
  socket.on('wall:batch', (batch, ack) => {
    batches.push(batch);
    ack({ ok: true });
  });
  return { socket, batches };
}

function incidentIn(batches: WireBatch[], id: string, isFull: boolean): IncidentView | undefined {
  for (const b of batches)
    if (b.isFull === isFull) {
      const v = b.incidents?.find((x) => x.id === id);
      if (v) return v;
    }
  return undefined;
}

function expectMasked(v: IncidentView): void {
  const text = `${v.title} ${v.address}`;
  expect(text, 'the phone number reached an unentitled socket').not.toContain(PHONE);
  expect(text, 'the ID number reached an unentitled socket').not.toContain(ID_NUMBER);
  expect(v.title).toContain('138****5678');
  expect(v.title).toContain('110101********1234');
}

function expectRaw(v: IncidentView): void {
  expect(v.title).toBe(TITLE);
  expect(v.address).toBe(ADDRESS);
}

describe('personal data in incident free text on the socket', () => {
  it('is masked for a duty officer and a display token, and raw for a dispatcher (snapshot and delta)', async () => {
    const duty = openWall({ cookie: cookies.duty });
    const screen = openWall({ token });
    const dispatcher = openWall({ cookie: cookies.dispatcher });
    const all = [duty, screen, dispatcher];
    for (const w of all) await waitFor(() => incidentIn(w.batches, 'PII-SNAP', true), 5_000, 'snapshot');

    expectMasked(incidentIn(duty.batches, 'PII-SNAP', true)!);
    expectMasked(incidentIn(screen.batches, 'PII-SNAP', true)!);
    expectRaw(incidentIn(dispatcher.batches, 'PII-SNAP', true)!);

    await kit.addIncident('PII-DELTA', { title: TITLE, address: ADDRESS });
    for (const w of all) await waitFor(() => incidentIn(w.batches, 'PII-DELTA', false), 5_000, 'delta');
    expectMasked(incidentIn(duty.batches, 'PII-DELTA', false)!);
    expectMasked(incidentIn(screen.batches, 'PII-DELTA', false)!);
    expectRaw(incidentIn(dispatcher.batches, 'PII-DELTA', false)!);

    // Nothing unmasked slipped out in any batch the unentitled sockets got.
    for (const w of [duty, screen]) {
      const everything = JSON.stringify(w.batches.map((b) => b.incidents ?? []));
      expect(everything).not.toContain(PHONE);
      expect(everything).not.toContain(ID_NUMBER);
    }
    for (const w of all) w.socket.close();
  });

  it('follows an incident update: a new title is masked again for the duty officer', async () => {
    const duty = openWall({ cookie: cookies.duty });
    await waitFor(() => incidentIn(duty.batches, 'PII-SNAP', true), 5_000, 'snapshot');
    const other = '13987654321';
    const v = kit.t.app.ctx.live.incidents.get('PII-SNAP')!;
    kit.t.app.ctx.live.incidents.upsert({ ...v, title: `回访 ${other}`, updatedAt: v.updatedAt + 1 });
    const updated = await waitFor(
      () => duty.batches.find((b) => !b.isFull && b.incidents?.some((x) => x.id === 'PII-SNAP')),
      5_000,
      'update',
    );
    const seen = updated.incidents!.find((x) => x.id === 'PII-SNAP')!;
    expect(seen.title).toBe('回访 139****4321');
    duty.socket.close();
  });
});

describe('the wall panels pushed on the socket', () => {
  it('carry the 督办 list with titles masked for a duty officer and raw for a dispatcher', async () => {
    // The panels as production pushes them (server/main.ts): a supervised incident is on their 督办 list.
    const clock = new FakeClock(Date.now());
    const hooks = dispatchAppHooks({ limiter: new LoginLimiter(10_000) });
    const t = await startTestApp({
      clock,
      auth: hooks.auth,
      routes: hooks.routes,
      statsFor: (ctx) => {
        const stats = createStatsProvider({ sql: ctx.sql, live: ctx.live, clock: ctx.clock });
        return (scope) => stats.latest(scope.regionCode);
      },
    });
    try {
      await seedDemoAccounts(t.app.ctx.sql, clock, DEMO_PASSWORD);
      const login = async (username: string) => {
        const r = await fetch(`${t.url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: DEMO_PASSWORD }),
        });
        expect(r.status).toBe(200);
        return r.headers.get('set-cookie')!.split(';')[0]!;
      };
      const now = clock.now();
      t.app.ctx.live.incidents.upsert({
        id: 'PII-LIST',
        category: 'dispute',
        title: TITLE,
        priority: 2,
        source: 'police_110',
        state: 'accepted',
        lng: 120.17,
        lat: 30.25,
        address: ADDRESS,
        gridCode: null,
        reportedAt: now,
        receivedAt: now,
        updatedAt: now,
        assigneeKind: null,
        assigneeId: null,
        supervision: 2,
      });
      const open = (cookie: string) => {
        const socket: WallClient = ioClient(t.url, {
          transports: ['websocket'],
          extraHeaders: { cookie },
          reconnection: false,
        });
        const batches: WireBatch[] = [];
        socket.on('wall:batch', (batch, ack) => {
          batches.push(batch);
          ack({ ok: true });
        });
        return { socket, batches };
      };
      const duty = open(await login('duty'));
      const dispatcher = open(await login('dispatcher'));
      const listed = (w: { batches: WireBatch[] }) =>
        w.batches.find((b) => b.stats)?.stats?.overdueList.find((i) => i.id === 'PII-LIST');
      await waitFor(() => listed(duty) && listed(dispatcher), 5_000, 'panels with the 督办 list');
      expect(listed(dispatcher)!.title).toBe(TITLE);
      expect(listed(duty)!.title).toContain('138****5678');
      const everything = JSON.stringify(duty.batches.map((b) => [b.incidents, b.stats]));
      expect(everything, 'a phone number in the duty wall panels').not.toContain(PHONE);
      expect(everything, 'an ID number in the duty wall panels').not.toContain(ID_NUMBER);
      duty.socket.close();
      dispatcher.socket.close();
    } finally {
      await t.close();
    }
  });
});
