/**
 * A frame's states packed as the live snapshot (position-codec), per kind: what `GET /api/history/frame`
 * answers. One pass picks the entities with a state (inside the region's scope when one is given) into a
 * typed index list; the columns the codec reads are filled in the same pass. The first version pushed onto a
 * number[] and mapped speed through a callback: ~350 ms of a province frame's pack.
 */
import { encodePositions, type EntityKind, type PositionOrigin } from '@/lib/realtime/position-codec';
import type { Scope } from '../realtime/scope';
import type { FrameState } from './history-reader';

/**
 * The codec's input columns, kept between frames (28 bytes a unit): typed arrays count as external memory,
 * and every ~64 MB of it allocated starts a full GC of the server's heap (~150 ms at province scale).
 */
function newScratch(n: number) {
  return {
    picked: new Uint32Array(n),
    lng: new Float64Array(n),
    lat: new Float64Array(n),
    heading: new Float32Array(n),
    speed: new Float32Array(n),
  };
}
let scratch = newScratch(0);

export function packFrameState(
  kind: EntityKind,
  s: FrameState,
  origin: PositionOrigin,
  scope: Scope | null,
): Uint8Array {
  const n = s.count;
  if (scratch.picked.length < n) scratch = newScratch(n);
  const { picked, lng, lat, heading, speed } = scratch;
  let count = 0;
  let newest = 0;
  for (let i = 0; i < n; i++) {
    const ts = s.ts[i]!;
    if (ts < 0) continue;
    const x = s.lngE6[i]! / 1e6;
    const y = s.latE6[i]! / 1e6;
    if (scope && !scope.containsPoint(x, y)) continue;
    lng[i] = x;
    lat[i] = y;
    heading[i] = s.heading[i]!;
    speed[i] = s.speed10[i]! / 10;
    picked[count++] = i;
    if (ts > newest) newest = ts;
  }
  return encodePositions(
    kind,
    { lng, lat, ts: s.ts, status: s.status, heading, speed },
    picked,
    count,
    newest,
    origin,
    true,
  );
}
