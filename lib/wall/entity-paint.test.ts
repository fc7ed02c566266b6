import { describe, expect, it } from 'vitest';
import { STALE_AFTER_MS } from '../realtime/contract';
import { createClientState } from '../realtime/client-store';
import { CAMERA_LOOKS } from './palette';
import { countLooks, createPaint, paintChanged, sweepStale } from './entity-paint';
import { createTrails, recordTrails, TRAIL_SAMPLE_MS, TRAIL_SEGMENTS } from './trails';

describe('entity paint', () => {
  it('colours by status, turns silent cameras stale on the sweep, hides entities out of scope', () => {
    const cams = createClientState().entities.camera;
    cams.count = 3;
    const now = 1_000_000;
    cams.present.set([1, 1, 0]);
    cams.status.set([0, 2, 0]);
    cams.ts.set([now, now, now]);
    const p = createPaint('camera');
    paintChanged(p, cams, 'all', now);
    expect([...p.look.subarray(0, 2)]).toEqual([
      CAMERA_LOOKS.indexOf('online'),
      CAMERA_LOOKS.indexOf('fault'),
    ]);
    expect(p.color[4 * 2 + 3]).toBe(0);
    expect(sweepStale(p, cams, now + STALE_AFTER_MS.camera - 1)).toBe(0);
    expect(sweepStale(p, cams, now + STALE_AFTER_MS.camera + 1)).toBe(2);
    expect(countLooks(p, cams)).toEqual([0, 0, 0, 2]);
  });
});

describe('trails', () => {
  it('keeps at most TRAIL_SEGMENTS segments per vehicle and restarts after a jump', () => {
    const v = createClientState().entities.vehicle;
    v.count = 1;
    v.present[0] = 1;
    const t = createTrails();
    for (let k = 0; k < TRAIL_SEGMENTS + 3; k++) {
      v.position[0] = 104 + k * 0.001;
      v.position[1] = 30.6;
      v.ts[0] = k * TRAIL_SAMPLE_MS;
      recordTrails(t, v, [0]);
    }
    const segs = t.source.subarray(0, 2 * TRAIL_SEGMENTS);
    expect([...segs].filter((x, i) => i % 2 === 0 && x !== 0)).toHaveLength(TRAIL_SEGMENTS);
    v.position[0] = 105; // 1° away: a teleport, not a drive
    v.ts[0] = v.ts[0]! + TRAIL_SAMPLE_MS;
    recordTrails(t, v, [0]);
    expect([...t.source.subarray(0, 2 * TRAIL_SEGMENTS)].every((x) => x === 0)).toBe(true);
  });
});
