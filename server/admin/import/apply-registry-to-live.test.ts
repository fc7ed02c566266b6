import { describe, expect, it } from 'vitest';
import { FakeClock } from '@/lib/clock';
import { LiveState } from '../../live/live-state';
import { applyRegistryToLive } from './apply-registry-to-live';

const CAMERA = '33010200001320000001';

describe('applyRegistryToLive', () => {
  it('places an enabled camera where the file says, and leaves a disabled one off the walls', () => {
    const live = new LiveState(new FakeClock(1_000));
    applyRegistryToLive(live, 'cameras', [
      { id: CAMERA, name: '西湖路口', kind: null, lng: 120.1, lat: 30.2 },
    ]);
    const i = live.camera.indexOf(CAMERA)!;
    expect([live.camera.lng[i], live.camera.lat[i]]).toEqual([120.1, 30.2]);

    live.setDisabled('camera', CAMERA, true);
    applyRegistryToLive(live, 'cameras', [
      { id: CAMERA, name: '西湖路口', kind: null, lng: 120.3, lat: 30.4 },
    ]);
    expect(Number.isNaN(live.camera.lng[i]!)).toBe(true);
    expect(live.camera.ts[i]).toBe(0);
    // Its name still follows the registry: the admin list shows it by name.
    expect(live.camera.metaOf(i)?.name).toBe('西湖路口');
  });
});
