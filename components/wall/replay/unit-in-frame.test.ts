import { describe, expect, it } from 'vitest';
import { createClientState, type ClientState } from '@/lib/realtime/client-store';
import { unitInFrame } from './unit-in-frame';

const T = Date.UTC(2026, 11, 1, 2, 0, 0);

/** A replayed frame under numbering `e1` holding one car at idx 2, at 50 km/h where it stood then. */
function frame(): ClientState {
  const s = createClientState();
  s.world = { name: '', epoch: 'e1', regionCode: null, bbox: null };
  const c = s.entities.vehicle;
  c.count = 3;
  c.capacity = 3;
  c.position = Float64Array.from([0, 0, 0, 0, 104.1, 30.6]);
  c.present = Uint8Array.from([0, 0, 1]);
  c.heading = new Float32Array(3);
  c.speed = Uint8Array.from([0, 0, 50]);
  c.status = new Uint8Array(3);
  c.ts = Float64Array.from([0, 0, T]);
  return s;
}

/** The server's answers by URL, recorded: a stand-in for the HTTP call, not for any store. */
function server(answers: Record<string, { status: number; body?: unknown }>) {
  const asked: string[] = [];
  const fetcher = async (url: string) => {
    asked.push(url);
    const a = answers[url];
    if (!a) throw new Error(`offline: ${url}`);
    return new Response(JSON.stringify(a.body ?? {}), { status: a.status });
  };
  return { fetcher, asked };
}

describe('unitInFrame', () => {
  it('finds a searched unit at its idx in the replayed frame, as it stood then', async () => {
    const { fetcher, asked } = server({
      '/api/live/vehicle/id/CAR%201?epoch=e1': {
        status: 200,
        body: { epoch: 'e1', kind: 'vehicle', idx: 2, id: 'CAR 1', name: '巡逻车', type: null },
      },
    });
    const r = await unitInFrame(fetcher, frame(), 'vehicle', 'CAR 1');
    expect(asked).toEqual(['/api/live/vehicle/id/CAR%201?epoch=e1']);
    expect(r.idx).toBe(2);
    expect(r.unit).toMatchObject({ lng: 104.1, lat: 30.6, speedKmh: 50, reportedAt: T });
  });

  it('says "in no frame" for a unit the server does not know, and "not known" when it cannot ask', async () => {
    const none = server({ '/api/live/vehicle/id/X?epoch=e1': { status: 404 } });
    expect(await unitInFrame(none.fetcher, frame(), 'vehicle', 'X')).toEqual({ idx: -1, unit: null });
    // The server restarted since the frame: its idx would name another unit.
    const restarted = server({ '/api/live/vehicle/id/X?epoch=e1': { status: 409 } });
    expect(await unitInFrame(restarted.fetcher, frame(), 'vehicle', 'X')).toEqual({
      idx: undefined,
      unit: null,
    });
    const offline = server({});
    expect(await unitInFrame(offline.fetcher, frame(), 'vehicle', 'X')).toEqual({
      idx: undefined,
      unit: null,
    });
  });

  it('asks without a numbering before the first frame, and finds nothing drawn there yet', async () => {
    const empty = createClientState();
    const { fetcher, asked } = server({
      '/api/live/camera/id/C': {
        status: 200,
        body: { epoch: 'e1', kind: 'camera', idx: 0, id: 'C', name: null, type: null },
      },
    });
    expect(await unitInFrame(fetcher, empty, 'camera', 'C')).toEqual({ idx: 0, unit: null });
    expect(asked).toEqual(['/api/live/camera/id/C']);
  });
});
