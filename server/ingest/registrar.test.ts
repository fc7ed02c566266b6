import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { openDatabase } from '../db/open-database';
import { sqliteSqlDb, type SqlDb } from '../db/sql-db';
import { LiveState } from '../live/live-state';
import { createLogger } from '../logger';
import { startRegistrar } from './registrar';

const logger = createLogger('silent');

/** A database whose transactions can be held open, or made to fail, by the test. */
function controlled() {
  const real = sqliteSqlDb(openDatabase(':memory:').$client);
  const state = { transactions: 0, isFailing: false, gate: null as Promise<void> | null };
  const db: SqlDb = {
    ...real,
    async transaction(fn) {
      state.transactions++;
      if (state.gate) await state.gate;
      if (state.isFailing) throw new Error('database unreachable');
      return real.transaction(fn);
    },
  };
  const vehicles = async () =>
    (await real.all<{ id: string }>(sql`SELECT id FROM vehicles ORDER BY id`)).map((r) => r.id);
  return { db, state, vehicles };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

function liveWith(...ids: string[]): LiveState {
  const live = new LiveState(new FakeClock());
  for (const id of ids) live.queueRegistration({ kind: 'vehicle', id, name: null, entityKind: null });
  return live;
}

describe('the registrar on the tick', () => {
  it('never runs two writes at once: ticks during a write start none, and what they queued goes next', async () => {
    const { db, state, vehicles } = controlled();
    const live = liveWith('A');
    const registrar = startRegistrar(db, live, logger);
    let open!: () => void;
    state.gate = new Promise((r) => (open = r));
    registrar.onTick();
    live.queueRegistration({ kind: 'vehicle', id: 'B', name: null, entityKind: null });
    registrar.onTick();
    registrar.onTick();
    await settle();
    expect(state.transactions).toBe(1);
    state.gate = null;
    open();
    await settle();
    expect(await vehicles()).toEqual(['A']);
    registrar.onTick();
    await settle();
    expect(state.transactions).toBe(2);
    expect(await vehicles()).toEqual(['A', 'B']);
  });

  it('keeps what a failed write held, backs off, and writes it all once the database is back', async () => {
    const { db, state, vehicles } = controlled();
    const live = liveWith('A', 'B');
    const registrar = startRegistrar(db, live, logger);
    state.isFailing = true;
    registrar.onTick();
    await settle();
    expect(live.peekRegistrations(10).map((r) => r.id)).toEqual(['A', 'B']);
    // One tick skipped after the first failure, two after the second.
    registrar.onTick();
    await settle();
    expect(state.transactions).toBe(1);
    registrar.onTick();
    await settle();
    expect(state.transactions).toBe(2);
    registrar.onTick();
    registrar.onTick();
    await settle();
    expect(state.transactions).toBe(2);
    state.isFailing = false;
    registrar.onTick();
    await settle();
    expect(state.transactions).toBe(3);
    expect(await vehicles()).toEqual(['A', 'B']);
    expect(live.peekRegistrations(10)).toEqual([]);
  });

  it('at close, waits for the write in flight and writes what came after it', async () => {
    const { db, state, vehicles } = controlled();
    const live = liveWith('A');
    const registrar = startRegistrar(db, live, logger);
    let open!: () => void;
    state.gate = new Promise((r) => (open = r));
    registrar.onTick();
    live.queueRegistration({ kind: 'vehicle', id: 'B', name: null, entityKind: null });
    const flushed = registrar.flush();
    await settle();
    state.gate = null;
    open();
    await flushed;
    expect(await vehicles()).toEqual(['A', 'B']);
  });
});
