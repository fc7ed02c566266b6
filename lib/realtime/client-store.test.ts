import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IncidentView } from '../domain/incident';
import { PROTOCOL_VERSION, STALE_AFTER_MS } from './contract';
import { applyBatch, createClientState, type ClientBatch } from './client-store';
import { encodePositions, originForBbox, type PositionColumns } from './position-codec';

const ORIGIN = originForBbox(103.9, 30.5, 104.2, 30.8);
const T0 = Date.UTC(2026, 10, 23, 2, 0, 0);

function columns(n: number): PositionColumns {
  return {
    lng: new Float64Array(n),
    lat: new Float64Array(n),
    heading: new Float32Array(n),
    speed: new Float32Array(n),
    status: new Uint8Array(n),
    ts: new Float64Array(n),
  };
}

function batch(seq: number, isFull: boolean, extra: Partial<ClientBatch> = {}): ClientBatch {
  return { v: PROTOCOL_VERSION, seq, isFull, serverTs: T0, ...extra };
}

function incident(id: string, priority = 3): IncidentView {
  return {
    id,
    category: 'dispute',
    title: '测试',
    priority,
    source: 'grid_worker',
    state: 'reported',
    lng: 104,
    lat: 30.6,
    address: null,
    gridCode: null,
    reportedAt: T0,
    receivedAt: T0,
    updatedAt: T0,
    assigneeKind: null,
    assigneeId: null,
    supervision: 0,
  };
}

describe('applyBatch', () => {
  it('applies a full batch, then a delta, into typed arrays', () => {
    const s = createClientState();
    const cols = columns(3);
    for (let i = 0; i < 3; i++) {
      cols.lng[i] = 104 + i * 0.01;
      cols.lat[i] = 30.6;
      cols.heading[i] = 90;
      cols.speed[i] = 40;
      cols.status[i] = i;
      cols.ts[i] = T0 - 1000;
    }
    const full = batch(1, true, {
      vehicle: encodePositions('vehicle', cols, [0, 1, 2], 3, T0, ORIGIN, true),
      incidents: [incident('i1')],
    });
    expect(applyBatch(s, full)).toEqual({ ok: true, isFull: true, newIncidents: [] });
    const v = s.entities.vehicle;
    expect(v.count).toBe(3);
    expect([...v.present.subarray(0, 3)]).toEqual([1, 1, 1]);
    expect(v.position[2]).toBeCloseTo(104.01, 5);
    expect(v.heading[0]).toBeCloseTo(90, 0);
    expect(v.ts[1]).toBe(T0 - 1000);
    expect(s.incidents.size).toBe(1);

    cols.lng[1] = 104.05;
    cols.status[1] = 4;
    cols.ts[1] = T0;
    const res = applyBatch(
      s,
      batch(2, false, {
        vehicle: encodePositions('vehicle', cols, [1], 1, T0, ORIGIN, false),
        incidents: [incident('i2', 1)],
        incidentsRemoved: ['i1'],
      }),
    );
    expect(res.ok && res.newIncidents.map((i) => i.id)).toEqual(['i2']);
    expect(v.position[2]).toBeCloseTo(104.05, 5);
    expect(v.status[1]).toBe(4);
    expect([...s.incidents.keys()]).toEqual(['i2']);
  });

  it('a telemetry loss moves every live unit past the staleness edge before the batch’s newer positions', () => {
    const s = createClientState();
    const cols = columns(4);
    for (let i = 0; i < 4; i++) {
      cols.lng[i] = 104 + i * 0.01;
      cols.lat[i] = 30.6;
      cols.ts[i] = T0 - 1_000;
    }
    // Unit 3 was already stale before the loss: its (older) report time is kept.
    cols.ts[3] = T0 - STALE_AFTER_MS.vehicle - 60_000;
    applyBatch(
      s,
      batch(1, true, { vehicle: encodePositions('vehicle', cols, [0, 1, 2, 3], 4, T0, ORIGIN, true) }),
    );
    const v = s.entities.vehicle;
    const before = v.version;
    const lostAt = T0 + 500;
    // Unit 1 reported after the loss: it arrives in the same batch and stays live.
    cols.ts[1] = T0 + 1_000;
    const later = T0 + 2_000;
    const res = applyBatch(
      s,
      batch(2, false, {
        serverTs: later,
        reportsLostAt: [lostAt],
        vehicle: encodePositions('vehicle', cols, [1], 1, later, ORIGIN, false),
      }),
    );
    expect(res.ok).toBe(true);
    const edge = lostAt - STALE_AFTER_MS.vehicle - 1;
    expect(v.ts[0]).toBe(edge);
    expect(v.ts[2]).toBe(edge);
    expect(v.ts[1]).toBe(T0 + 1_000);
    expect(v.ts[3]).toBe(T0 - STALE_AFTER_MS.vehicle - 60_000);
    expect(v.version).toBeGreaterThan(before);
    // Stale from the moment of the loss on, by the one rule every view uses.
    expect(lostAt - v.ts[0]!).toBeGreaterThan(STALE_AFTER_MS.vehicle);
    // Workers and cameras with nothing live are untouched and not redrawn.
    expect(s.entities.camera.count).toBe(0);
  });

  it('refuses a delta after a gap without touching state, and a full batch recovers', () => {
    const s = createClientState();
    applyBatch(s, batch(1, true));
    const before = s.entities.vehicle.version;
    expect(applyBatch(s, batch(3, false, { incidents: [incident('x')] }))).toEqual({
      ok: false,
      error: 'gap',
    });
    expect(s.incidents.size).toBe(0);
    expect(s.entities.vehicle.version).toBe(before);
    expect(applyBatch(s, batch(7, true)).ok).toBe(true);
    expect(applyBatch(s, batch(8, false)).ok).toBe(true);
  });

  it('refuses a corrupt position column and another protocol version', () => {
    const s = createClientState();
    expect(applyBatch(s, batch(1, true, { vehicle: new Uint8Array([1, 2, 3]) }))).toEqual({
      ok: false,
      error: 'decode',
    });
    expect(applyBatch(s, { ...batch(1, true), v: 99 as typeof PROTOCOL_VERSION })).toEqual({
      ok: false,
      error: 'version',
    });
  });

  it('a full batch replaces everything: entities not in it are no longer present', () => {
    const s = createClientState();
    const cols = columns(2);
    cols.lng.fill(104);
    cols.lat.fill(30.6);
    applyBatch(s, batch(1, true, { camera: encodePositions('camera', cols, [0, 1], 2, T0, ORIGIN, true) }));
    expect([...s.entities.camera.present.subarray(0, 2)]).toEqual([1, 1]);
    applyBatch(s, batch(1, true, { camera: encodePositions('camera', cols, [1], 1, T0, ORIGIN, true) }));
    expect([...s.entities.camera.present.subarray(0, 2)]).toEqual([0, 1]);
  });

  it('property: after any sequence of deltas each entity holds its latest encoded state', () => {
    const update = fc.record({
      idx: fc.nat({ max: 4999 }),
      dLng: fc.double({ min: 0, max: 0.3, noNaN: true }),
      dLat: fc.double({ min: 0, max: 0.3, noNaN: true }),
      status: fc.nat({ max: 4 }),
      age: fc.nat({ max: 600_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(update, { maxLength: 50 }), { minLength: 1, maxLength: 8 }),
        (batches) => {
          const s = createClientState();
          applyBatch(s, batch(1, true));
          const expected = new Map<number, { lng: number; lat: number; status: number; ts: number }>();
          batches.forEach((updates, b) => {
            // Within one batch the server sends each entity once, with its latest state.
            const latest = new Map(updates.map((u) => [u.idx, u]));
            const idx = [...latest.keys()];
            const cols = columns(5000);
            for (const u of latest.values()) {
              cols.lng[u.idx] = 103.9 + u.dLng;
              cols.lat[u.idx] = 30.5 + u.dLat;
              cols.status[u.idx] = u.status;
              cols.ts[u.idx] = T0 - u.age;
              expected.set(u.idx, {
                lng: 103.9 + u.dLng,
                lat: 30.5 + u.dLat,
                status: u.status,
                ts: T0 - u.age,
              });
            }
            const bytes = encodePositions('vehicle', cols, idx, idx.length, T0, ORIGIN, false);
            expect(applyBatch(s, batch(b + 2, false, { vehicle: bytes })).ok).toBe(true);
          });
          const v = s.entities.vehicle;
          for (const [i, e] of expected) {
            expect(Math.abs(v.position[2 * i]! - e.lng)).toBeLessThan(1.5e-6);
            expect(Math.abs(v.position[2 * i + 1]! - e.lat)).toBeLessThan(1.5e-6);
            expect(v.status[i]).toBe(e.status);
            expect(v.present[i]).toBe(1);
            expect(Math.abs(v.ts[i]! - e.ts)).toBeLessThanOrEqual(5);
          }
          expect(v.count).toBeGreaterThanOrEqual(Math.max(...expected.keys()) + 1);
        },
      ),
      { numRuns: 60 },
    );
  });
});
